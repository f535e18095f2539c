package io.streamrec.ops.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamrec.ops.eval.PrequentialScorer.Event;
import io.streamrec.ops.eval.PrequentialScorer.ServedList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialScorerTest {

  @Test
  void shouldScoreEachEventAgainstTheNewestListThatCannotReflectIt() {
    List<ServedList> lists = List.of(
        // u was served [a, b, c] after her event at t=100, then [c, d] after t=200 (generated later).
        new ServedList("u", List.of("a", "b", "c"), 100L, null, 10_000),
        new ServedList("u", List.of("c", "d"), 200L, null, 11_000),
        // a list reflecting the scored event itself (userEventTime = 300) must not be used for it.
        new ServedList("u", List.of("x"), 300L, null, 12_000),
        // v only ever got a fallback list (no userEventTime) and one list whose embedding saw the event.
        new ServedList("v", List.of("e", "f"), null, null, 9_000),
        new ServedList("v", List.of("g"), 50L, 310L, 9_500));
    List<Event> events = List.of(
        new Event("u", "a", 5, 100, 1_000),   // before the split: not scored
        new Event("u", "d", 4, 300, 1_100),   // newest eligible list: [c, d] -> hit at rank 1
        new Event("u", "b", 3, 310, 1_200),   // rated 3: not scored
        new Event("v", "f", 5, 300, 1_300),   // [g] has embeddingEventTime 310 >= 300 -> fallback [e, f], rank 1
        new Event("w", "a", 5, 400, 1_400));  // never served: scored 0, unserved
    PrequentialScorer.Result r = PrequentialScorer.score(events, lists, 250, 4f, 10, 2);
    assertThat(r.events()).isEqualTo(3);
    assertThat(r.unserved()).isEqualTo(1);
    assertThat(r.hitRate()).isCloseTo(2.0 / 3, within(1e-9));
    double rank1 = 1 / (Math.log(3) / Math.log(2));
    assertThat(r.ndcg()).isCloseTo((rank1 + rank1) / 3, within(1e-9));
    // buckets over [250, 401): width 75.5 -> events at 300, 300 in the first, 400 in the second.
    assertThat(r.buckets()).extracting(PrequentialScorer.Bucket::events).containsExactly(2, 1);
    assertThat(r.buckets().get(0).hitRate()).isEqualTo(1.0);
    assertThat(r.buckets().get(1).hitRate()).isZero();
  }

  @Test
  void shouldMeasureFreshnessFromArrivalToTheFirstListReflectingTheEvent() {
    List<ServedList> lists = List.of(
        new ServedList("u", List.of("a"), 100L, null, 1_040),
        new ServedList("u", List.of("a"), 200L, null, 1_500),
        new ServedList("u", List.of("a"), 200L, null, 1_300));
    List<Event> events = List.of(
        new Event("u", "a", 5, 100, 1_000),  // first list with userEventTime >= 100: generated at 1040 -> 40 ms
        new Event("u", "b", 5, 200, 1_100),  // first (by generatedAt) with >= 200: 1300 -> 200 ms
        new Event("u", "c", 5, 300, 1_200)); // never reflected
    PrequentialScorer.Freshness f = PrequentialScorer.score(events, lists, 0, 4f, 10, 1).freshness();
    assertThat(f.reflected()).isEqualTo(2);
    assertThat(f.unreflected()).isEqualTo(1);
    assertThat(f.p50()).isEqualTo(40);
    assertThat(f.p99()).isEqualTo(200);
  }

  @Test
  void shouldUseNearestRankPercentiles() {
    double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(PrequentialScorer.percentile(v, 0.5)).isEqualTo(5);
    assertThat(PrequentialScorer.percentile(v, 0.95)).isEqualTo(10);
    assertThat(PrequentialScorer.percentile(new double[0], 0.5)).isNaN();
  }
}
