package io.streamrec.ops.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.numeric.Packed;
import io.streamrec.streams.serving.ItemMatrix;
import io.streamrec.streams.serving.ItemSearch;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.OnlineLearner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The trainer's offline score (dot + bias + kappa * alpha * log(1 + c(t))) and serving's score from
 * what the trainer publishes (the item index fed with the EmbeddingUpdate fields, stream time = the
 * trainer's newest event time) rank the same items with bit-identical scores (both score with the
 * shared numeric TopK).
 */
class OfflineOnlineScoreAgreementTest {
  private static final long HOUR = 3_600_000L;

  @Test
  void shouldRankTheSameItemsOfflineAndInServing() {
    LearnerSettings s =
        LearnerSettings.defaults()
            .with(
                b -> {
                  b.batchSize = 64;
                  b.newPerStep = 32;
                  b.seed = 3;
                });
    SplittableRandom rnd = new SplittableRandom(7);
    Map<String, Set<String>> seen = new HashMap<>();
    try (OnlineLearner learner = new OnlineLearner(s)) {
      long t = 900_000_000_000L;
      for (int e = 0; e < 3_000; e++) {
        String u = "u" + rnd.nextInt(60);
        // A skewed catalogue, so that the popularity term matters.
        String i = "i" + (int) Math.floor(Math.pow(rnd.nextDouble(), 2) * 150);
        t += rnd.nextLong(2 * HOUR);
        learner.learn(u, i, 4f, t);
        seen.computeIfAbsent(u, x -> new HashSet<>()).add(i);
      }
      learner.flush();
      learner.trainIdle(5);
      assertThat(learner.popularityWeight()).isNotZero();
      for (float kappa : new float[] {1f, 1.5f}) {
        ItemMatrix index = new ItemMatrix(s.dim());
        ItemSearch search = new ItemSearch(index, null);
        index.popularityWeight(kappa);
        for (int row = 0; row < learner.itemCount(); row++) {
          index.upsert(
              learner.itemId(row),
              learner.itemTable().vector(row),
              learner.itemTable().bias(row),
              1L,
              learner.popularityCount(row),
              learner.popularityTime(),
              learner.popularityWeight(),
              learner.popularityHalfLifeMillis());
        }
        index.advanceStreamTime(learner.popularityTime());
        assertThat(index.termTime()).isEqualTo(learner.popularityTime());
        for (int x = 0; x < 60; x++) {
          String u = "u" + x;
          List<OnlineLearner.Scored> offline =
              learner.scoreTopK(u, 10, seen.get(u), kappa, index.termTime());
          ItemSearch.Scratch scratch = new ItemSearch.Scratch();
          int n = search.search(learner.userVector(u), seen.get(u), 10, scratch);
          List<String> onlineIds = new ArrayList<>();
          for (int r = 0; r < n; r++) {
            onlineIds.add(index.id(Packed.id(scratch.results()[r])));
          }
          assertThat(onlineIds)
              .containsExactlyElementsOf(
                  offline.stream().map(OnlineLearner.Scored::itemId).toList());
          for (int r = 0; r < n; r++) {
            assertThat(Packed.score(scratch.results()[r])).isEqualTo(offline.get(r).score());
          }
        }
      }
    }
  }
}
