package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.HealthProbe;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.TestTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrainerMain} as a child JVM: its exit codes and health endpoints. */
@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class TrainerMainIT {

  @Test
  void shouldExitZeroWhenSigtermStopsARunningTrainer(EmbeddedKafkaBroker kafka, @TempDir Path dir)
      throws Exception {
    String sfx = TestTopics.suffix();
    TopicAdmin.createAll(
        kafka.bootstrapServers(),
        List.of(
            Topics.TRAINING_EXAMPLES.withSuffix(sfx),
            Topics.USER_EMBEDDINGS.withSuffix(sfx),
            Topics.ITEM_EMBEDDINGS.withSuffix(sfx),
            Topics.DLQ_TRAINER.withSuffix(sfx)),
        (short) 1,
        Map.of());
    int port = EmbeddedKafkaBroker.freePort();
    Process p = start(dir, kafka.bootstrapServers(), sfx, port, dir.resolve("ckpt"));
    try {
      String base = "http://127.0.0.1:" + port;
      await().atMost(Duration.ofSeconds(90)).until(() -> HealthProbe.check(base + "/health/ready"));
      assertThat(HealthProbe.check(base + "/health/live")).isTrue();
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("exit code after SIGTERM; log:%n%s", log(dir)).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void shouldExitNonZeroWhenTheCheckpointDirectoryIsUnwritable(
      EmbeddedKafkaBroker kafka, @TempDir Path dir) throws Exception {
    Path notADir = Files.writeString(dir.resolve("a-file"), "x");
    Process p =
        start(dir, kafka.bootstrapServers(), TestTopics.suffix(), 0, notADir.resolve("ckpt"));
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("log:%n%s", log(dir)).isEqualTo(1);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void shouldExitNonZeroWhenTheBrokerIsUnreachable(@TempDir Path dir) throws Exception {
    Process p =
        start(
            dir,
            "127.0.0.1:" + EmbeddedKafkaBroker.freePort(),
            TestTopics.suffix(),
            0,
            dir.resolve("c"),
            "trainer.retry.timeout.ms=2000");
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("log:%n%s", log(dir)).isEqualTo(1);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void shouldExitTwoWithOneLineAndNoStackTraceWhenAnArgumentIsBad(@TempDir Path dir)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                TrainerMain.class.getName(),
                "--bogus")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("trainer.log").toFile())
            .start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = log(dir);
      assertThat(p.exitValue()).as("log:%n%s", log).isEqualTo(2);
      assertThat(log)
          .contains("Configuration error: Unexpected argument '--bogus'")
          .doesNotContain("\tat ", "Exception");
    } finally {
      p.destroyForcibly();
    }
  }

  private static Process start(
      Path dir, String bootstrap, String sfx, int port, Path ckpt, String... extra)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.streamrec",
                "-cp",
                System.getProperty("java.class.path"),
                TrainerMain.class.getName(),
                "--set",
                "kafka.bootstrap.servers=" + bootstrap,
                "--set",
                "topics.suffix=" + sfx,
                "--set",
                "metrics.port=" + port,
                "--set",
                "trainer.checkpoint.dir=" + ckpt,
                "--set",
                "trainer.group.id=trainer-main" + sfx));
    for (String kv : extra) {
      cmd.add("--set");
      cmd.add(kv);
    }
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("trainer.log").toFile())
        .start();
  }

  private static String log(Path dir) throws Exception {
    String s = Files.readString(dir.resolve("trainer.log"));
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }
}
