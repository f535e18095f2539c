package io.streamrec.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.testkit.MovieLensFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {

  @Test
  void shouldRouteTrainRowsToRatingsAndEverythingFromTheSplitTimeToHoldoutOnMovieLens100k() {
    MovieLens.Dataset ds = MovieLens.load(MovieLensFixture.ml100kOrSkip());
    ReplayPlan plan = ReplayPlan.withHoldout(ds, 0.2);
    TutorialSplit.Split split = TutorialSplit.apply(ds);
    assertThat(plan.ratings()).hasSize(79_999).isEqualTo(split.train());
    assertThat(plan.holdout()).hasSize(20_001);
    assertThat(plan.filteredOut()).isZero();
    assertThat(plan.splitMillis()).isEqualTo(split.testStartMillis());
    assertThat(plan.holdout()).allMatch(i -> i.timestamp() >= plan.splitMillis());
    // The evaluator's filters on the holdout rows give exactly the tutorial's test set.
    TutorialSplit.Split fromTopics =
        TutorialSplit.fromParts(plan.ratings(), plan.holdout(), plan.splitMillis(), 4f);
    assertThat(fromTopics.test()).hasSize(1_571).isEqualTo(split.test());
    assertThat(fromTopics.groundTruth()).hasSize(95);
  }

  @Test
  void shouldDropUsersBelowTheMinimumAndKeepFileOrderForEqualTimes() {
    var rows =
        List.of(
            new Interaction("u", "a", 5, 3_000),
            new Interaction("u", "b", 4, 1_000),
            new Interaction("x", "z", 5, 1_500),
            new Interaction("u", "c", 3, 3_000),
            new Interaction("u", "d", 5, 4_000));
    var ds = new MovieLens.Dataset(MovieLens.Format.ML_100K, rows, null, null);
    ReplayPlan plan = ReplayPlan.withHoldout(ds, 0.5, 2);
    // x has 1 rating < 2: filtered. Kept, by time: b@1000, a@3000, c@3000, d@4000; index
    // (int)(4*0.5)=2 -> T=3000.
    assertThat(plan.filteredOut()).isEqualTo(1);
    assertThat(plan.splitMillis()).isEqualTo(3_000);
    assertThat(plan.ratings()).extracting(Interaction::itemId).containsExactly("b");
    assertThat(plan.holdout()).extracting(Interaction::itemId).containsExactly("a", "c", "d");
    assertThat(ReplayPlan.all(ds).ratings())
        .extracting(Interaction::itemId)
        .containsExactly("b", "z", "a", "c", "d");
  }
}
