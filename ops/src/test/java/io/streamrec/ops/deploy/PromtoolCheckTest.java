package io.streamrec.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Prometheus' own checker on the shipped files, run from the repository paths (the relative rule
 * path in prometheus.yml makes the same file valid in the container). Skipped, with a message, when
 * {@code promtool} is not installed (Debian/Ubuntu: {@code apt-get install prometheus}; .ci/run
 * installs it when it can).
 */
@Timeout(60)
class PromtoolCheckTest {
  private static Path promtool;

  @BeforeAll
  static void findPromtool() {
    promtool =
        List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
            .map(d -> Path.of(d, "promtool"))
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(
        promtool != null,
        "promtool not on PATH: skipping the promtool checks (install Debian's 'prometheus' package to run them)");
  }

  private static String run(String... args) throws Exception {
    Path monitoring = DeployFiles.root().resolve("ops/monitoring");
    List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd).directory(monitoring.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void shouldPassPromtoolCheckConfig() throws Exception {
    assertThat(run("check", "config", "prometheus.yml"))
        .contains("SUCCESS")
        .contains("1 rule files found");
  }

  @Test
  void shouldPassPromtoolCheckConfigFromTheRepositoryRoot() throws Exception {
    assertThat(
            run(
                "check",
                "config",
                DeployFiles.root().resolve("ops/monitoring/prometheus.yml").toString()))
        .contains("SUCCESS");
  }

  @Test
  void shouldPassPromtoolCheckRules() throws Exception {
    assertThat(run("check", "rules", "alerts.yml"))
        .contains("SUCCESS")
        .containsPattern("\\d+ rules found");
  }
}
