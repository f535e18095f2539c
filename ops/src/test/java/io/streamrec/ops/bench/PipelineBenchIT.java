package io.streamrec.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench pipeline} on the first 10,000 MovieLens events with the real services: the report
 * accounts for every event, every stage's lag reaches 0, finish times respect the pipeline order,
 * and the ratio is computed. No wall-clock threshold: the figure itself is measured by the command
 * on idle cores (docs/benchmarks.md).
 */
@Tag("integration")
@Timeout(600)
@ExtendWith(EmbeddedKafkaExtension.class)
class PipelineBenchIT {

  @Test
  void shouldAccountForEveryEventAndDrainEveryStage(EmbeddedKafkaBroker kafka, @TempDir Path tmp)
      throws Exception {
    ReplayPlan plan =
        PipelineBench.firstEvents(
            ReplayPlan.all(MovieLens.load(MovieLensFixture.ml100kOrSkip())), 10_000);
    Path svg = tmp.resolve("lag.svg");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);

    PipelineBench.Result result =
        PipelineBench.run(
            new PipelineBench.Settings(
                kafka.bootstrapServers(),
                plan,
                1,
                0,
                tmp.resolve("work"),
                50,
                Duration.ofMinutes(5),
                svg),
            out);
    System.out.print(text.toString(StandardCharsets.UTF_8));

    assertThat(result.runs()).hasSize(1);
    PipelineBench.Run r = result.runs().get(0);
    assertThat(r.events()).isEqualTo(10_000);
    long expected = PipelineBench.expectedExamples(plan, 20);
    assertThat(expected).as("users with 20+ events in the slice").isBetween(1_000L, 10_000L);
    assertThat(r.expectedExamples()).isEqualTo(expected);
    assertThat(r.examples()).as("examples ingest wrote").isEqualTo(expected);
    assertThat(r.examplesTrained()).as("examples the trainer applied").isEqualTo(expected);

    PipelineBench.Sample last = r.samples().get(r.samples().size() - 1);
    assertThat(last.produced()).isEqualTo(10_000);
    // The example stages stay drained; serving's user-embedding lag can rise again after it
    // finished (its finish is
    // reaching the topic's end as of the trainer's last publish after the backlog, asserted below
    // through
    // finished()), because the trainer keeps publishing while it runs its idle (replay-only) steps.
    assertThat(Arrays.copyOf(last.lag(), 3))
        .as("ingest, trainer and serving drained")
        .containsOnly(0L);
    assertThat(r.peakLag()[0]).as("ingest lag was sampled while the replay ran").isPositive();

    double[] f = r.finished();
    for (double x : f) {
      assertThat(x)
          .as("a stage finishes after the replay")
          .isGreaterThanOrEqualTo(r.replaySeconds());
    }
    assertThat(f[1]).as("trainer after ingest").isGreaterThanOrEqualTo(f[0]);
    assertThat(f[2]).as("serving after ingest").isGreaterThanOrEqualTo(f[0]);
    assertThat(f[3]).as("serving-embeddings after trainer").isGreaterThanOrEqualTo(f[1]);
    assertThat(r.seconds()).isEqualTo(Math.max(Math.max(f[0], f[1]), Math.max(f[2], f[3])));
    assertThat(PipelineBench.STAGES).contains(r.lastStage());
    assertThat(r.eventsPerSecond()).isEqualTo(10_000 / r.seconds());
    assertThat(r.referenceEps()).as("bare exactly_once_v2 pass-through").isPositive().isFinite();
    assertThat(r.bareReplayEps()).isPositive().isFinite();
    assertThat(result.ratio())
        .isPositive()
        .isFinite()
        .isEqualTo(r.eventsPerSecond() / r.referenceEps());

    String report = text.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains(
            "bench pipeline: median of 1 runs over 10,000 events",
            "serving-embeddings lag",
            "bare exactly_once_v2 pass-through",
            "last stage: " + r.lastStage());
    assertThat(Files.readString(svg)).startsWith("<svg").contains("trainer lag");
  }
}
