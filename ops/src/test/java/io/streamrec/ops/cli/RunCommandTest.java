package io.streamrec.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.ops.StreamRecCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamrec run}: the checks before a service starts, and the arguments it hands to the
 * service's main.
 */
class RunCommandTest {

  private static RunCommand parse(String... args) {
    RunCommand cmd = new RunCommand();
    new CommandLine(cmd).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return cmd;
  }

  @Test
  void shouldRefuseAMissingConfigFile(@TempDir Path tmp) {
    StreamRecCliTest.Run r =
        StreamRecCliTest.cli(
            "run", "serving", "--config", tmp.resolve("nope.properties").toString());
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .contains("--config")
        .contains("nope.properties")
        .contains("no such file");
  }

  @Test
  void shouldRefuseACheckpointDirThatCannotBeCreated(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    StreamRecCliTest.Run r =
        StreamRecCliTest.cli(
            "run", "trainer", "--set", "trainer.checkpoint.dir=" + file.resolve("ckpt"));
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).contains("trainer.checkpoint.dir").contains("is a file");
  }

  @Test
  @Timeout(30)
  void shouldNameTheBrokerAddressBeforeStarting(@TempDir Path tmp) {
    StreamRecCliTest.Run r =
        StreamRecCliTest.cli(
            "run",
            "ingest",
            "--set",
            "kafka.bootstrap.servers=127.0.0.1:1",
            "--set",
            "ingest.state.dir=" + tmp.resolve("state"));
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .contains("Kafka is not reachable at 127.0.0.1:1")
        .contains("--set kafka.bootstrap.servers=");
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void shouldRejectAnUnknownRole() {
    StreamRecCliTest.Run r = StreamRecCliTest.cli("run", "broker");
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).contains("INGEST, SERVING, TRAINER").contains("broker");
  }

  @Test
  void shouldHandEachMainTheSharedSyntaxWithARoleDefaultPort(@TempDir Path tmp) {
    String dir = "ingest.state.dir=" + tmp.resolve("s");
    RunCommand serving = parse("serving", "--set", "serving.default.k=20");
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("serving.default.k", "20");
    overrides.put("metrics.port", "9401");
    assertThat(serving.mainArguments(overrides))
        .containsExactly(
            "--set",
            "streams.roles=serving",
            "--set",
            "serving.default.k=20",
            "--set",
            "metrics.port=9401");
    RunCommand trainer =
        parse("trainer", "--config", "t.properties", "--set", "trainer.device=gpu");
    assertThat(trainer.mainArguments(Map.of("trainer.device", "gpu")))
        .containsExactly("--config", "t.properties", "--set", "trainer.device=gpu");
    RunCommand ingest = parse("ingest", "--skip-broker-check", "--set", dir);
    assertThat(ingest.checked()).containsEntry("metrics.port", "9403");
    RunCommand chosen =
        parse("ingest", "--skip-broker-check", "--set", dir, "--set", "metrics.port=7000");
    assertThat(chosen.checked()).containsEntry("metrics.port", "7000");
  }

  @Test
  void shouldKeepAPortFromTheConfigFile(@TempDir Path tmp) throws Exception {
    Path cfg =
        Files.writeString(
            tmp.resolve("s.properties"),
            "metrics.port=7100\nserving.state.dir=" + tmp.resolve("state") + "\n");
    RunCommand serving = parse("serving", "--skip-broker-check", "--config", cfg.toString());
    assertThat(serving.checked()).doesNotContainKey("metrics.port");
    assertThat(List.of(serving.mainArguments(serving.checked())))
        .doesNotContain("metrics.port=9401");
  }

  @Test
  void shouldBeListedInTheCommandLine() {
    assertThat(new CommandLine(new StreamRecCli()).getSubcommands()).containsKey("run");
  }
}
