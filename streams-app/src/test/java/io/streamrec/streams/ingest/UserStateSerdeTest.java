package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
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
        assertThat(bytes.length).isLessThan(8 * s.itemCount());
    }

    @Test
    void shouldKeepItemsSortedAfterOutOfOrderInserts() {
        UserState s = new UserState();
        for (String id : new String[] {"5", "10", "1", "100", "2", "3", "4", "6", "7", "8", "9"}) {
            s.record(id, 1000);
        }
        String[] ids = new String[s.itemCount()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = roundTrip(s).item(i);
        }
        String[] sorted = ids.clone();
        Arrays.sort(sorted);
        assertThat(ids).containsExactly(sorted);
    }

    @Test
    void shouldRejectUnknownVersion() {
        byte[] bytes = UserStateSerde.encode(new UserState());
        bytes[0] = 9;
        assertThatThrownBy(() -> UserStateSerde.decode(bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void shouldRejectTruncatedAndTrailingBytes() {
        UserState s = new UserState();
        s.record("a", 1000);
        byte[] bytes = UserStateSerde.encode(s);
        assertThatThrownBy(() -> UserStateSerde.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> UserStateSerde.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("trailing");
    }
}
