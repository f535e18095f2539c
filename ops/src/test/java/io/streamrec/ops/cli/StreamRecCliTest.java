package io.streamrec.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.ops.StreamRecCli;
import io.streamrec.testkit.MovieLensFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StreamRecCliTest {

  @Test
  void shouldRegisterTheEvaluationCommands() {
    CommandLine cli = new CommandLine(new StreamRecCli());
    assertThat(cli.getSubcommands()).containsKeys("replay", "evaluate", "demo", "bench");
    assertThat(cli.getSubcommands().get("bench").getSubcommands()).containsKey("replay");
  }

  @Test
  void shouldPrintBaselinesWithoutKafka(@TempDir Path out) {
    Path data = MovieLensFixture.ml100kOrSkip();
    int rc = StreamRecCli.run("evaluate", "--baselines-only", "--data", data.toString(), "--out", out.toString());
    assertThat(rc).isZero();
    assertThat(out.resolve("results.json")).content().contains("\"splitMatchesTutorial\" : true")
        .contains("recent popularity (7 days)");
  }

  @Test
  void shouldRejectAnIncompleteFileMode() {
    assertThat(StreamRecCli.run("evaluate", "--recs", "r.csv")).isNotZero();
  }
}
