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
    List<ServedList> lists =
        List.of(
            // u was served [a, b, c] after her event at t=100, then [c, d] after t=200 (generated
            // later).
            new ServedList("u", List.of("a", "b", "c"), 100L, null, 10_000),
            new ServedList("u", List.of("c", "d"), 200L, null, 11_000),
            // a list reflecting the scored event itself (userEventTime = 300) must not be used for
            // it.
            new ServedList("u", List.of("x"), 300L, null, 12_000),
            // v only ever got a fallback list (no userEventTime) and one list whose embedding saw
            // the event.
            new ServedList("v", List.of("e", "f"), null, null, 9_000),
            new ServedList("v", List.of("g"), 50L, 310L, 9_500));
    List<Event> events =
        List.of(
            new Event("u", "a", 5, 100, 1_000), // before the split: not scored
            new Event(
                "v", "f", 2, 120, 1_010), // before the split: v is a train user, f a known item
            new Event("w", "d", 2, 130, 1_020), // d is known from now on
            new Event("w", "e", 2, 140, 1_030), // e too
            new Event("u", "d", 4, 300, 1_100), // newest eligible list: [c, d] -> hit at rank 1
            new Event("u", "b", 3, 310, 1_200), // rated 3: not scored
            new Event(
                "v", "f", 5, 300,
                1_300), // [g] has embeddingEventTime 310 >= 300 -> fallback [e, f], rank 1
            new Event("w", "a", 5, 400, 1_400), // w: train user, never served: scored 0, unserved
            new Event("z", "a", 5, 400, 1_500), // z has no earlier event: in neither set
            new Event("u", "q", 5, 400, 1_600)); // item q never seen before: in neither set
    PrequentialScorer.Result r = PrequentialScorer.score(events, lists, 250, 4f, 10, 2);
    PrequentialScorer.SetScore wt = r.warmTrain();
    assertThat(wt.events()).isEqualTo(3);
    assertThat(wt.unserved()).isEqualTo(1);
    assertThat(wt.hitRate()).isCloseTo(2.0 / 3, within(1e-9));
    double rank1 = 1 / (Math.log(3) / Math.log(2));
    assertThat(wt.ndcg()).isCloseTo((rank1 + rank1) / 3, within(1e-9));
    // buckets over [250, 401): width 75.5 -> events at 300, 300 in the first, 400 in the second.
    assertThat(wt.buckets()).extracting(PrequentialScorer.Bucket::events).containsExactly(2, 1);
    assertThat(wt.buckets().get(0).hitRate()).isEqualTo(1.0);
    assertThat(wt.buckets().get(1).hitRate()).isZero();
    assertThat(r.warmPrior().events()).isEqualTo(3);
  }

  @Test
  void shouldSplitWarmTrainFromWarmPriorByTheUsersFirstEvent() {
    List<Event> events =
        List.of(
            new Event("u", "a", 5, 10, 0),
            new Event(
                "v", "b", 5, 20, 0), // split at 20: v's first event is at the split, not before it
            new Event(
                "v", "a", 5, 30, 0), // v has an earlier event (after the split): warmPrior only
            new Event(
                "u", "b", 5, 30, 0), // u has an event before the split: warmTrain (and warmPrior)
            new Event("x", "c", 5, 30, 0), // a new user
            new Event(
                "u", "c", 5, 30, 0), // c first rated at this very time: not seen strictly before
            new Event("u", "c", 5, 40, 0)); // now it was
    PrequentialScorer.Sets s = PrequentialScorer.classify(events, 20, 4f);
    assertThat(s.warmTrain()).containsExactly(false, false, false, true, false, false, true);
    assertThat(s.warmPrior()).containsExactly(false, false, true, true, false, false, true);
  }

  @Test
  void shouldRankOnlinePopularityByEarlierCountsWithoutTheUsersItems() {
    List<Event> events =
        List.of(
            new Event("u", "a", 5, 10, 0),
            new Event("v", "a", 5, 11, 0),
            new Event("v", "b", 5, 12, 0),
            new Event("w", "c", 5, 13, 0),
            new Event(
                "u", "b", 5, 20,
                0), // popularity before t=20: a(2), b(1), c(1); u saw a -> [b, c]: rank 0
            new Event("v", "c", 5, 21, 0), // v saw a, b -> [c]: rank 0
            new Event(
                "w", "a", 5, 22,
                0)); // counts a(2), b(2), c(2) after t=21 -> w saw c -> [a, b]: rank 0
    PrequentialScorer.Result r = OnlinePopularity.score(events, 20, 4f, 1, 1);
    assertThat(r.warmTrain().events()).isEqualTo(3);
    assertThat(r.warmTrain().hitRate()).isEqualTo(1.0);
    PrequentialScorer.Result other =
        OnlinePopularity.score(
            List.of(
                events.get(0),
                events.get(1),
                events.get(2),
                events.get(3),
                new Event("u", "c", 5, 20, 0)),
            20,
            4f,
            1,
            1);
    // u's top-1 is b (count 1, first rated before c), so c misses
    assertThat(other.warmTrain().hitRate()).isZero();
    assertThat(other.warmTrain().unserved()).isZero();
  }

  @Test
  void shouldMeasureBothFreshnessClocksFromArrivalToTheFirstListReflectingTheEvent() {
    List<ServedList> lists =
        List.of(
            new ServedList("u", List.of("a"), 100L, null, 1_040),
            new ServedList("u", List.of("a"), 200L, 100L, 1_500),
            new ServedList("u", List.of("a"), 200L, null, 1_300));
    List<Event> events =
        List.of(
            new Event(
                "u", "a", 5, 100,
                1_000), // reaction: first list with userEventTime >= 100 at 1040 -> 40 ms;
            // model: first with embeddingEventTime >= 100 at 1500 -> 500 ms
            new Event(
                "u", "b", 5, 200,
                1_100), // reaction: first (by generatedAt) with >= 200: 1300 -> 200 ms
            new Event("u", "c", 5, 300, 1_200)); // never reflected
    PrequentialScorer.Clocks c = PrequentialScorer.score(events, lists, 0, 4f, 10, 1).freshness();
    assertThat(c.reaction().reflected()).isEqualTo(2);
    assertThat(c.reaction().unreflected()).isEqualTo(1);
    assertThat(c.reaction().p50Ms()).isEqualTo(40);
    assertThat(c.reaction().p99Ms()).isEqualTo(200);
    assertThat(c.model().reflected()).isEqualTo(1);
    assertThat(c.model().unreflected()).isEqualTo(2);
    assertThat(c.model().p50Ms()).isEqualTo(500);
  }

  @Test
  void shouldUseNearestRankPercentiles() {
    double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(ServedFreshness.percentile(v, 0.5)).isEqualTo(5);
    assertThat(ServedFreshness.percentile(v, 0.95)).isEqualTo(10);
    assertThat(ServedFreshness.percentile(new double[0], 0.5)).isNull();
  }
}
