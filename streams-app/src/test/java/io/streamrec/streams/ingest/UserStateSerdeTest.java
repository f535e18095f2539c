package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class UserStateSerdeTest {

  private static UserState roundTrip(UserState s) {
    return UserStateSerde.decode(UserStateSerde.encode(s));
  }

  private static void assertSame(UserState a, UserState b) {
    assertThat(b.interactionCount()).isEqualTo(a.interactionCount());
    assertThat(b.firstEventTime()).isEqualTo(a.firstEventTime());
    assertThat(b.lastEventTime()).isEqualTo(a.lastEventTime());
    assertThat(b.itemCount()).isEqualTo(a.itemCount());
    for (int i = 0; i < a.itemCount(); i++) {
      assertThat(b.item(i)).isEqualTo(a.item(i));
      assertThat(b.itemTime(i)).isEqualTo(a.itemTime(i));
    }
    assertThat(b.held()).isEqualTo(a.held());
  }

  @Test
  void shouldRoundTripEmptyState() {
    UserState s = roundTrip(new UserState());
    assertThat(s.interactionCount()).isZero();
    assertThat(s.itemCount()).isZero();
    assertThat(UserStateSerde.encode(new UserState())[0]).isEqualTo((byte) UserStateSerde.VERSION);
  }

  @Test
  void shouldRoundTripMillisecondTimesUnicodeIdsAndHeldEvents() {
    UserState s = new UserState();
    s.record("z-item", 1_700_000_000_123L);
    s.hold("z-item", 4.5f, 1_700_000_000_123L);
    s.record("ä€😀", 1_600_000_000_001L);
    s.hold("ä€😀", 0.5f, 1_600_000_000_001L);
    s.record("z-item", 1_800_000_000_000L);
    UserState back = roundTrip(s);
    assertSame(s, back);
    assertThat(back.interactionCount()).isEqualTo(3);
    assertThat(back.item(0)).isEqualTo("z-item");
    assertThat(back.itemTime(0)).isEqualTo(1_800_000_000_000L);
    assertThat(UserStateSerde.encode(s)[1]).as("flags: not whole seconds").isZero();
    assertThat(back.isDuplicate("z-item", 1_800_000_000_000L)).isTrue();
    assertThat(back.isDuplicate("z-item", 1_700_000_000_123L)).isFalse();
  }

  @Test
  void shouldStoreWholeSecondsCompactly() {
    UserState s = new UserState();
    SplittableRandom rnd = new SplittableRandom(7);
    long t0 = 880_000_000_000L;
    for (int i = 0; i < 100; i++) {
      s.record(Integer.toString(1 + rnd.nextInt(1682)), t0 + 1000L * rnd.nextInt(20_000_000));
    }
    byte[] bytes = UserStateSerde.encode(s);
    assertThat(bytes[1]).as("flags: whole seconds").isEqualTo((byte) 1);
    assertSame(s, UserStateSerde.decode(bytes));
    assertThat(bytes.length).isLessThan(10 * s.itemCount());
  }

  @Test
  void shouldStillReadVersionOneState() {
    // version 1, whole seconds, 2 interactions, first 1 s, last first + 1 s, items "a"@+0 and
    // "b"@+1 (front-coded),
    // one held event "b" 4.0 @+1
    byte[] v1 = {
      1, 1, 2, 1, 1, 2, 0, 1, 'a', 0, 0, 1, 'b', 1, 1, 1, 'b', 0x40, (byte) 0x80, 0, 0, 1
    };
    UserState s = UserStateSerde.decode(v1);
    assertThat(s.interactionCount()).isEqualTo(2);
    assertThat(s.firstEventTime()).isEqualTo(1000L);
    assertThat(s.lastEventTime()).isEqualTo(2000L);
    assertThat(s.itemCount()).isEqualTo(2);
    assertThat(s.item(0)).isEqualTo("a");
    assertThat(s.itemTime(1)).isEqualTo(2000L);
    assertThat(s.held()).containsExactly(new UserState.HeldEvent("b", 4f, 2000L));
    byte[] again = UserStateSerde.encode(s);
    assertThat(again[0])
        .as("rewritten in the current layout")
        .isEqualTo((byte) UserStateSerde.VERSION);
    assertSame(s, UserStateSerde.decode(again));
  }

  /**
   * The incremental item section (appends after an encode, rebuilds when a re-rating or a
   * millisecond time breaks it, continuing after a decode) must always encode exactly the state:
   * checked against a state rebuilt from scratch after every step of a random history.
   */
  @Test
  void shouldEncodeIncrementallyExactlyAsFromScratch() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int history = 0; history < 200; history++) {
      UserState s = new UserState();
      List<Object[]> ops = new ArrayList<>();
      for (int step = 0; step < 60; step++) {
        String item = Integer.toString(1 + rnd.nextInt(40)) + (rnd.nextInt(10) == 0 ? "é" : "");
        long t = 880_000_000_000L + 1000L * rnd.nextInt(5_000_000) + (rnd.nextInt(15) == 0 ? 7 : 0);
        if (s.isDuplicate(item, t)) {
          continue;
        }
        s.record(item, t);
        boolean hold = rnd.nextInt(3) == 0;
        if (hold) {
          s.hold(item, 3.5f, t);
        }
        ops.add(new Object[] {item, t, hold});
        if (rnd.nextInt(8) == 0) {
          s.drainHeld();
          ops.add(new Object[] {null, 0L, false});
        }
        byte[] bytes = UserStateSerde.encode(s);
        UserState fresh = replay(ops);
        assertSame(fresh, UserStateSerde.decode(bytes));
        if (rnd.nextInt(5) == 0) {
          s =
              UserStateSerde.decode(
                  bytes); // continue from the decoded state, as after a cache miss
        }
      }
    }
  }

  private static UserState replay(List<Object[]> ops) {
    UserState s = new UserState();
    for (Object[] op : ops) {
      if (op[0] == null) {
        s.drainHeld();
        continue;
      }
      s.record((String) op[0], (Long) op[1]);
      if ((Boolean) op[2]) {
        s.hold((String) op[0], 3.5f, (Long) op[1]);
      }
    }
    return s;
  }

  @Test
  void shouldRejectCorruptItemSections() {
    UserState s = new UserState();
    s.record("a", 1000);
    s.record("b", 2000);
    byte[] bytes = UserStateSerde.encode(s);
    byte[] duplicated = bytes.clone();
    // the second entry's id "b" becomes "a"
    for (int i = 0; i < duplicated.length; i++) {
      if (duplicated[i] == 'b') {
        duplicated[i] = 'a';
      }
    }
    assertThatThrownBy(() -> UserStateSerde.decode(duplicated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("twice");
    byte[] hugeCount = bytes.clone();
    hugeCount[2] = (byte) 0xFF;
    assertThatThrownBy(() -> UserStateSerde.decode(hugeCount))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldKeepItemsInFirstAcceptedOrderAcrossRoundTrips() {
    UserState s = new UserState();
    String[] ids = {"5", "10", "1", "100", "2", "3", "4", "6", "7", "8", "9"};
    for (String id : ids) {
      s.record(id, 1000);
    }
    UserState back = roundTrip(s);
    for (int i = 0; i < ids.length; i++) {
      assertThat(back.item(i)).isEqualTo(ids[i]);
    }
  }

  @Test
  void shouldFindEveryItemAndNoOtherWhileTheIndexGrows() {
    UserState s = new UserState();
    SplittableRandom rnd = new SplittableRandom(3);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      String id = Integer.toString(rnd.nextInt(2000));
      long t = 1000L * (1 + rnd.nextInt(50));
      boolean known = expected.containsKey(id);
      assertThat(s.hasItem(id)).isEqualTo(known);
      assertThat(s.isDuplicate(id, t)).isEqualTo(known && expected.get(id) == t);
      if (!s.isDuplicate(id, t)) {
        s.record(id, t);
        expected.merge(id, t, Math::max);
      }
      if (i % 500 == 0) {
        s = roundTrip(s);
      }
    }
    assertThat(s.itemCount()).isEqualTo(expected.size());
    UserState back = roundTrip(s);
    for (int i = 0; i < back.itemCount(); i++) {
      assertThat(back.itemTime(i)).isEqualTo(expected.get(back.item(i)));
    }
    assertThat(back.hasItem("2000")).isFalse();
    assertThat(back.hasItem("not-an-item")).isFalse();
  }

  @Test
  void shouldRejectUnknownVersion() {
    byte[] bytes = UserStateSerde.encode(new UserState());
    bytes[0] = 9;
    assertThatThrownBy(() -> UserStateSerde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version 9");
  }

  @Test
  void shouldRejectTruncatedAndTrailingBytes() {
    UserState s = new UserState();
    s.record("a", 1000);
    byte[] bytes = UserStateSerde.encode(s);
    assertThatThrownBy(() -> UserStateSerde.decode(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> UserStateSerde.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("trailing");
  }
}
