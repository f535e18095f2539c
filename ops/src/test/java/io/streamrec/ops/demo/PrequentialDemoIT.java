package io.streamrec.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.ops.eval.PrequentialReport;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure mode of a model that silently stops learning from new data (FLINK-36653): the live
 * prequential protocol on MovieLens-100k with the real services, the online arm and the frozen arm
 * (the same services, the trainer frozen at the split time) fed the same stream side by side at the
 * demo's default bounded-lag pace. The online arm must beat the frozen one on {@code warmTrain} and
 * serve (almost) every such event, and its lists must come from user vectors that learned the
 * post-split ratings (the frozen arm's never do). The offline harness is left out (it needs no
 * Kafka and has its own test).
 */
@Tag("integration")
@Timeout(600)
@ExtendWith(EmbeddedKafkaExtension.class)
class PrequentialDemoIT {

  /** Extra service settings for this test (none: the service defaults). */
  static final Map<String, String> SETTINGS = Map.of();

  /**
   * The split: the last half of the events by time are scored. With the demo's 0.2 the two arms
   * differ by less than 0.01 at the service defaults (1,603 warmTrain events); with half the stream
   * after the split the frozen model misses far more (new items, new users, drift) and there are
   * more warmTrain events.
   */
  static final double TEST_FRACTION = 0.5;

  /**
   * warmTrain HitRate@10, online minus frozen. Measured at this split (3,531 warmTrain events):
   * online 0.0649, frozen 0.0541 (+0.0108, load average 2-6) and 0.0702 / 0.0575 (+0.0127, load
   * average 1.3-2.7); the bar is below that by about two standard errors of the difference, because
   * the live system is not deterministic. The model-clock check below is the sharp one (measured:
   * online 100,000 ratings reflected, frozen 49,998).
   */
  static final double MARGIN = 0.003;

  /**
   * Post-split ratings that online lists must reflect through the user vectors beyond what the
   * frozen ones do.
   */
  static final int MODEL_REFLECTED_MARGIN = 10_000;

  @Test
  void shouldBeatTheFrozenArmWhenTheModelLearnsOnline(EmbeddedKafkaBroker kafka, @TempDir Path tmp)
      throws Exception {
    Path data = MovieLensFixture.ml100kOrSkip();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Demo.Settings s =
        new Demo.Settings(
            Demo.BrokerMode.EXTERNAL,
            kafka.bootstrapServers(),
            TestTopics.suffix(),
            data,
            42,
            tmp.resolve("out"),
            tmp.resolve("work"),
            Duration.ofSeconds(300),
            Duration.ofSeconds(3),
            Duration.ofSeconds(60),
            SETTINGS,
            true,
            Demo.DEFAULT_MAX_LAG,
            List.of());
    Map<String, Double> phases = new LinkedHashMap<>();
    PrequentialReport.Result r =
        PrequentialDemo.run(
                s,
                kafka.bootstrapServers(),
                new InProcessServiceLauncher(),
                out,
                phases,
                false,
                TEST_FRACTION)
            .report();
    out.println(PrequentialReport.markdown(r));
    PrequentialReport.Arm online = r.arm("online");
    PrequentialReport.Arm frozen = r.arm("frozen");
    assertThat(online.warmTrain().events())
        .isEqualTo(frozen.warmTrain().events())
        .isGreaterThan(1_000);
    assertThat(online.warmTrain().unserved())
        .as("online unserved warmTrain events")
        .isLessThanOrEqualTo(online.warmTrain().events() / 100);
    assertThat(online.warmTrain().hitRate())
        .as("online vs frozen warmTrain HitRate@10")
        .isGreaterThan(frozen.warmTrain().hitRate() + MARGIN);
    // the frozen arm's vectors never learn a post-split rating (half the stream); the online arm's
    // learn nearly all
    out.printf(
        "model clock reflected: online %d, frozen %d%n",
        online.freshness().model().reflected(), frozen.freshness().model().reflected());
    assertThat(online.freshness().model().reflected())
        .as("ratings reflected by a vector that learned them")
        .isGreaterThan(frozen.freshness().model().reflected() + MODEL_REFLECTED_MARGIN);
    assertThat(online.eventsPerSecond()).isPositive();
  }
}
