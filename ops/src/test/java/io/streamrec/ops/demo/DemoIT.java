package io.streamrec.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo with the real services (ingest, serving, trainer at their defaults) on the
 * embedded broker, once per seed 1..5 (fresh topics, state and consumer groups each time). Asserts
 * a quality floor on the median of the five runs (only 95 users are scored, so one run is noisy,
 * and a streaming run is not reproducible): NDCG@10 >= 0.15, HitRate@10 >= 0.47, Coverage@10 >=
 * 0.19 on MovieLens-100k; every run must also beat the tutorial's published numbers and answer
 * every test user with a full list. With the recency-aware defaults this test measured medians
 * 0.187 / 0.558 / 0.199 on a quiet machine and five demo runs under load 0.1695 / 0.516 / 0.199
 * (docs/evaluation.md): the 0.18 / 0.52 floors are not cleared with margin under load, so
 * only the HitRate floor was raised (from 0.45).
 */
@Tag("integration")
@Timeout(900)
@ExtendWith(EmbeddedKafkaExtension.class)
class DemoIT {
  private static final long[] SEEDS = {1, 2, 3, 4, 5};

  @Test
  void shouldBeatTheQualityFloorOnMovieLens100k(EmbeddedKafkaBroker kafka, @TempDir Path tmp)
      throws Exception {
    Path data = MovieLensFixture.ml100kOrSkip();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<TutorialReport.Row> runs = new ArrayList<>();
    for (long seed : SEEDS) {
      Demo.Settings s =
          new Demo.Settings(
              Demo.BrokerMode.EXTERNAL,
              kafka.bootstrapServers(),
              TestTopics.suffix(),
              data,
              seed,
              tmp.resolve("out-" + seed),
              tmp.resolve("work-" + seed),
              Duration.ofSeconds(300),
              Duration.ofSeconds(3),
              Duration.ofSeconds(60),
              Map.of());
      Demo.Outcome o = Demo.run(s, new InProcessServiceLauncher(), out);
      assertThat(o.result().splitMatchesTutorial()).isTrue();
      TutorialReport.Row row = o.result().rows().get(0);
      assertThat(row.ndcg())
          .as("NDCG@10 of seed %d beats the tutorial", seed)
          .isGreaterThan(0.0345);
      assertThat(row.hitRate())
          .as("HitRate@10 of seed %d beats the tutorial", seed)
          .isGreaterThan(0.221);
      runs.add(row);
    }
    double ndcg = median(runs.stream().mapToDouble(TutorialReport.Row::ndcg).toArray());
    double hitRate = median(runs.stream().mapToDouble(TutorialReport.Row::hitRate).toArray());
    double coverage = median(runs.stream().mapToDouble(TutorialReport.Row::coverage).toArray());
    out.printf(
        "DemoIT ranges: NDCG@10 %.4f-%.4f HitRate@10 %.3f-%.3f Coverage@10 %.3f-%.3f%n",
        runs.stream().mapToDouble(TutorialReport.Row::ndcg).min().orElse(0),
        runs.stream().mapToDouble(TutorialReport.Row::ndcg).max().orElse(0),
        runs.stream().mapToDouble(TutorialReport.Row::hitRate).min().orElse(0),
        runs.stream().mapToDouble(TutorialReport.Row::hitRate).max().orElse(0),
        runs.stream().mapToDouble(TutorialReport.Row::coverage).min().orElse(0),
        runs.stream().mapToDouble(TutorialReport.Row::coverage).max().orElse(0));
    out.printf(
        "DemoIT medians over seeds %s: NDCG@10 %.4f HitRate@10 %.3f Coverage@10 %.3f; runs %s%n",
        Arrays.toString(SEEDS), ndcg, hitRate, coverage, runs);
    assertThat(ndcg).as("median NDCG@10").isGreaterThanOrEqualTo(0.15);
    assertThat(hitRate).as("median HitRate@10").isGreaterThanOrEqualTo(0.47);
    assertThat(coverage).as("median Coverage@10").isGreaterThanOrEqualTo(0.19);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
