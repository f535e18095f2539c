package io.streamrec.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The distribution {@code ./mvnw package} builds (ops/target/streamrec-&lt;version&gt;/): its
 * launcher runs with nothing but {@code lib/} on the class path (integration-test phase, after
 * package).
 */
@Timeout(120)
class DistributionIT {

  private static Path home() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("target"))) {
      return s.filter(
              p -> p.getFileName().toString().matches("streamrec-\\d.*") && Files.isDirectory(p))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no target/streamrec-<version>/ (run package first)"));
    }
  }

  private static String[] run(Path launcher, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STREAMREC_JAVA_OPTS", "-Xmx256m");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    return new String[] {Integer.toString(p.exitValue()), out};
  }

  @Test
  void shouldRunFromBinWithLibOnly() throws Exception {
    Path home = home();
    Path launcher = home.resolve("bin/streamrec");
    assertThat(Files.isExecutable(launcher)).as("bin/streamrec is executable").isTrue();
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(j -> j.getFileName().toString()).toList())
          .anyMatch(n -> n.startsWith("ops-"))
          .anyMatch(n -> n.startsWith("streams-app-"))
          .anyMatch(n -> n.startsWith("trainer-"))
          .anyMatch(n -> n.startsWith("kafka-clients-"));
    }
    String[] help = run(launcher, "run", "--help");
    assertThat(help[0]).isEqualTo("0");
    assertThat(help[1])
        .contains("ingest | serving | trainer")
        .contains("--config")
        .contains("--set");
    // the services' classes load from lib/: a bad address fails in the checks, exit code 2, one
    // line
    String[] bad =
        run(
            launcher,
            "run",
            "serving",
            "--set",
            "kafka.bootstrap.servers=127.0.0.1:1",
            "--set",
            "serving.state.dir=target/distribution-it-state");
    assertThat(bad[0]).isEqualTo("2");
    assertThat(bad[1].strip())
        .doesNotContain("\n")
        .contains("Kafka is not reachable at 127.0.0.1:1");
  }
}
