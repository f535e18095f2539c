package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamrec.avro.ScoredItem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PopularityTrackerTest {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T = 900_000L * DAY;

  @Test
  void shouldDecayCountsByEventTime() {
    PopularityTracker p = new PopularityTracker(Duration.ofDays(7));
    // "old": 3 interactions 21 days (3 half-lives) before "new"'s single interaction: 3/8 < 1.
    p.add("old", T);
    p.add("old", T);
    p.add("old", T);
    p.add("new", T + 21 * DAY);
    List<ScoredItem> top = p.top(5, List.of());
    assertThat(top).extracting(ScoredItem::getItemId).containsExactly("new", "old");
    assertThat(top.get(0).getScore()).isCloseTo(1f, within(1e-4f));
    assertThat(top.get(1).getScore()).isCloseTo(3f / 8, within(1e-4f));
    // Within one half-life the older pair wins: 2 * 2^(-1/7) > 1.
    p.add("pair", T + 20 * DAY);
    p.add("pair", T + 20 * DAY);
    assertThat(p.top(1, List.of("new"))).extracting(ScoredItem::getItemId).containsExactly("pair");
  }

  @Test
  void shouldRestoreFromPersistedScores() {
    PopularityTracker a = new PopularityTracker(Duration.ofDays(7));
    double x = a.add("x", T);
    a.add("y", T);
    double y = a.add("y", T);
    PopularityTracker b = new PopularityTracker(Duration.ofDays(7));
    b.restore("x", x);
    b.restore("y", y);
    assertThat(b.top(2, null)).extracting(ScoredItem::getItemId).containsExactly("y", "x");
    assertThat(b.top(0, null)).isEmpty();
  }

  @Test
  void shouldRestoreThousandsOfItemsWhenArraysGrow() {
    PopularityTracker a = new PopularityTracker(Duration.ofDays(7));
    java.util.Map<String, Double> persisted = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 5_000; i++) {
      for (int r = 0; r <= i % 3; r++) {
        persisted.put("i" + i, a.add("i" + i, T + i * 3_600_000L));
      }
    }
    PopularityTracker b = new PopularityTracker(Duration.ofDays(7));
    persisted.forEach(b::restore);
    assertThat(b.size()).isEqualTo(5_000);
    assertThat(b.top(3, null)).extracting(ScoredItem::getItemId)
        .containsExactlyElementsOf(a.top(3, null).stream().map(ScoredItem::getItemId).toList());
  }
}
