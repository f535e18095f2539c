package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The item index of {@link UserState} against a plain map, through the processor's call sequence.
 */
class UserStateTest {

  @Test
  void shouldAgreeWithAMapThroughGrowthReRatingsAndLookupsInBetween() {
    Random random = new Random(42);
    UserState state = new UserState();
    Map<String, Long> newest = new HashMap<>();
    List<String> order = new ArrayList<>();
    int count = 0;
    for (int n = 0; n < 20_000; n++) {
      // new String instances, as the decoder makes them; ids collide in their low hash bits (short
      // numbers)
      String item = new String("i" + random.nextInt(3_000));
      long ts = 1_000L * (1 + random.nextInt(4));
      boolean duplicate = state.isDuplicate(item, ts);
      assertThat(duplicate)
          .as("duplicate %s@%d", item, ts)
          .isEqualTo(Long.valueOf(ts).equals(newest.get(item)));
      if (random.nextInt(10) == 0) {
        // a lookup of another item between the check and the record must not misplace the recorded
        // item
        String other = "i" + random.nextInt(3_000);
        assertThat(state.hasItem(other)).isEqualTo(newest.containsKey(other));
      }
      if (duplicate) {
        continue;
      }
      assertThat(state.record(item, ts)).isEqualTo(++count);
      if (newest.merge(item, ts, Math::max) == ts && !order.contains(item)) {
        order.add(item);
      }
    }
    assertThat(state.itemCount()).isEqualTo(newest.size()).isEqualTo(order.size());
    for (int i = 0; i < state.itemCount(); i++) {
      assertThat(state.item(i)).isEqualTo(order.get(i));
      assertThat(state.itemTime(i)).isEqualTo(newest.get(order.get(i)));
      assertThat(state.hasItem(new String(order.get(i)))).isTrue();
    }
    assertThat(state.hasItem("i3000")).isFalse();
  }
}
