package io.streamrec.ops.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.testkit.MovieLensFixture;
import java.time.Duration;
import java.util.List;
import org.assertj.core.data.Offset;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class TutorialSplitTest {

  @Test
  void shouldReproduceTheTutorialSplitStatisticsOnMovieLens100k() {
    TutorialSplit.Split split =
        TutorialSplit.apply(MovieLens.load(MovieLensFixture.ml100kOrSkip()));
    assertThat(split.train()).hasSize(79_999);
    assertThat(split.trainUsers()).hasSize(751);
    assertThat(split.trainItems()).hasSize(1_616);
    assertThat(split.test()).hasSize(1_571);
    assertThat(split.groundTruth()).hasSize(95);
  }

  @Test
  void shouldPutTiesAtTheSplitTimeIntoTest() {
    var rows =
        List.of(
            new Interaction("u", "a", 5, 1_000),
            new Interaction("u", "b", 5, 2_000),
            new Interaction("v", "c", 5, 3_000),
            new Interaction("u", "c", 5, 4_000),
            new Interaction("v", "a", 3, 4_000),
            new Interaction("w", "e", 5, 5_000));
    var data = new MovieLens.Dataset(MovieLens.Format.ML_100K, rows, null, null);
    // n = 6, index (int)(6 * 0.5) = 3 -> test starts at time 4000, and both rows at 4000 are test.
    TutorialSplit.Split split = TutorialSplit.apply(data, 1, 0.5, 4f);
    assertThat(split.testStartMillis()).isEqualTo(4_000);
    assertThat(split.train()).extracting(Interaction::itemId).containsExactly("a", "b", "c");
    // v/a is rated 3 (< 4): dropped; w is not a train user: dropped.
    assertThat(split.test())
        .extracting(Interaction::userId, Interaction::itemId)
        .containsExactly(Tuple.tuple("u", "c"));
  }

  @Test
  void shouldMatchTheSpecRecentPopularityBaselineOnMovieLens100k() {
    TutorialSplit.Split split =
        TutorialSplit.apply(MovieLens.load(MovieLensFixture.ml100kOrSkip()));
    var gt = split.groundTruth();
    var recs = Baselines.recentPopularity(split, gt.keySet(), 10, Duration.ofDays(7));
    RankingMetrics.Scores s = RankingMetrics.score(recs, gt, split.trainItems(), 10);
    assertThat(s.ndcg()).isCloseTo(0.223, Offset.offset(0.005));
    assertThat(s.hitRate()).isCloseTo(0.684, Offset.offset(0.005));
  }
}
