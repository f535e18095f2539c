package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PopularityTrackerTest {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T = 900_000L * DAY;
  private static final Duration HALF_LIFE = Duration.ofDays(7);

  private static GlobalPopularity publish(
      PopularityTracker p, int partition, GlobalPopularity into, String... items) {
    for (String i : items) {
      into.set(partition, i, p.log2Count(i), p.newestEventTimeMs());
    }
    return into;
  }

  @Test
  void shouldDecayCountsByEventTime() {
    PopularityTracker p = new PopularityTracker(HALF_LIFE);
    // "old": 3 interactions 21 days (3 half-lives) before "new"'s single interaction: 3/8 < 1.
    p.add("old", T);
    p.add("old", T);
    p.add("old", T);
    p.add("new", T + 21 * DAY);
    GlobalPopularity g = publish(p, 0, new GlobalPopularity(HALF_LIFE), "old", "new");
    GlobalPopularity.Top top = g.top(5, Set.of());
    assertThat(top.ids()).containsExactly("new", "old");
    assertThat(top.scores()[0]).isCloseTo(1f, within(1e-4f));
    assertThat(top.scores()[1]).isCloseTo(3f / 8, within(1e-4f));
    // Within one half-life the older pair wins: 2 * 2^(-1/7) > 1.
    p.add("pair", T + 20 * DAY);
    p.add("pair", T + 20 * DAY);
    publish(p, 0, g, "pair");
    assertThat(g.top(1, Set.of("new")).ids()).containsExactly("pair");
    assertThat(g.top(0, null).ids()).isEmpty();
  }

  @Test
  void shouldRestoreThousandsOfItemsWhenArraysGrow() {
    PopularityTracker a = new PopularityTracker(HALF_LIFE);
    Map<String, Double> persisted = new LinkedHashMap<>();
    for (int i = 0; i < 5_000; i++) {
      for (int r = 0; r <= i % 3; r++) {
        persisted.put("i" + i, a.add("i" + i, T + i * 3_600_000L));
      }
    }
    PopularityTracker b = new PopularityTracker(HALF_LIFE);
    persisted.forEach((item, l) -> b.restore(item, l, a.newestEventTimeMs()));
    assertThat(b.size()).isEqualTo(5_000);
    GlobalPopularity ga =
        publish(a, 0, new GlobalPopularity(HALF_LIFE), persisted.keySet().toArray(String[]::new));
    GlobalPopularity gb =
        publish(b, 0, new GlobalPopularity(HALF_LIFE), persisted.keySet().toArray(String[]::new));
    assertThat(gb.size()).isEqualTo(5_000);
    assertThat(gb.top(3, null).ids()).containsExactly(ga.top(3, null).ids());
  }

  @Test
  void shouldMergePartitionsIntoTheWholeStreamCount() {
    SplittableRandom rnd = new SplittableRandom(3);
    PopularityTracker whole = new PopularityTracker(HALF_LIFE);
    PopularityTracker[] parts = {
      new PopularityTracker(HALF_LIFE),
      new PopularityTracker(HALF_LIFE),
      new PopularityTracker(HALF_LIFE)
    };
    String[] items = new String[50];
    Arrays.setAll(items, i -> "i" + i);
    for (int e = 0; e < 5_000; e++) {
      String item = items[(int) Math.min(49, Math.abs(rnd.nextGaussian()) * 12)];
      long t = T + rnd.nextLong(30 * DAY);
      whole.add(item, t);
      parts[rnd.nextInt(3)].add(item, t);
    }
    GlobalPopularity merged = new GlobalPopularity(HALF_LIFE);
    for (int p = 0; p < 3; p++) {
      for (String i : items) {
        if (parts[p].log2Count(i) != Double.NEGATIVE_INFINITY) {
          merged.set(p, i, parts[p].log2Count(i), parts[p].newestEventTimeMs());
        }
      }
    }
    GlobalPopularity reference = publish(whole, 0, new GlobalPopularity(HALF_LIFE), items);
    assertThat(merged.top(10, List.of("i0")).ids())
        .containsExactly(reference.top(10, List.of("i0")).ids());
    assertThat(merged.top(10, null).scores()[0])
        .isCloseTo(reference.top(10, null).scores()[0], within(1e-3f));
  }
}
