package io.streamrec.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.testkit.EmbeddedKafkaBroker;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo with the real services (ingest, serving, trainer at their defaults) on the embedded broker;
 * asserts the quality floor NDCG@10 >= 0.15, HitRate@10 >= 0.45, Coverage@10 >= 0.19 on MovieLens-100k.
 */
@Tag("integration")
@Timeout(400)
@ExtendWith(EmbeddedKafkaExtension.class)
class DemoIT {

  @Test
  void shouldBeatTheQualityFloorOnMovieLens100k(EmbeddedKafkaBroker kafka, @TempDir Path tmp) throws Exception {
    Path data = MovieLensFixture.ml100kOrSkip();
    Demo.Settings s = new Demo.Settings(Demo.BrokerMode.EXTERNAL, kafka.bootstrapServers(), TestTopics.suffix(), data,
        42, tmp.resolve("out"), tmp.resolve("work"), Duration.ofSeconds(300), Duration.ofSeconds(3),
        Duration.ofSeconds(60), Map.of());
    Demo.Outcome o = Demo.run(s, new InProcessServiceLauncher(), new PrintStream(System.out, true,
        StandardCharsets.UTF_8));
    TutorialReport.Row streamRec = o.result().rows().get(0);
    assertThat(o.result().splitMatchesTutorial()).isTrue();
    assertThat(streamRec.ndcg()).as("NDCG@10").isGreaterThanOrEqualTo(0.15);
    assertThat(streamRec.hitRate()).as("HitRate@10").isGreaterThanOrEqualTo(0.45);
    assertThat(streamRec.coverage()).as("Coverage@10").isGreaterThanOrEqualTo(0.19);
  }
}
