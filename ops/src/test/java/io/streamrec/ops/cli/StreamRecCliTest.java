package io.streamrec.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.ops.StreamRecCli;
import io.streamrec.ops.UserError;
import io.streamrec.testkit.MovieLensFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StreamRecCliTest {

  /** What one command line run printed and returned. */
  record Run(int rc, String out, String err, long millis) {}

  /** Runs the CLI capturing stdout (commands print there directly) and stderr (the error lines). */
  static synchronized Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    long t0 = System.nanoTime();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      rc = StreamRecCli.run(e, args);
    } finally {
      System.setOut(oldOut);
    }
    return new Run(
        rc,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8),
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** A three-rating MovieLens-100k-shaped folder. */
  static Path tinyData(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("u.data"), "1\t10\t5\t881250949\n1\t11\t3\t881250950\n2\t10\t4\t881250951\n");
    return dir;
  }

  private static void assertOneLine(Run r) {
    assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("\tat ").isNotEmpty();
  }

  @Test
  void shouldRegisterTheEvaluationCommands() {
    CommandLine cli = new CommandLine(new StreamRecCli());
    assertThat(cli.getSubcommands()).containsKeys("replay", "evaluate", "demo", "bench");
    assertThat(cli.getSubcommands().get("bench").getSubcommands())
        .containsKeys("replay", "ingest", "serving");
  }

  @Test
  void shouldPrintBaselinesWithoutKafka(@TempDir Path out) {
    Path data = MovieLensFixture.ml100kOrSkip();
    int rc =
        StreamRecCli.run(
            "evaluate", "--baselines-only", "--data", data.toString(), "--out", out.toString());
    assertThat(rc).isZero();
    assertThat(out.resolve("results.json"))
        .content()
        .contains("\"splitMatchesTutorial\" : true")
        .contains("recent popularity (7 days)");
  }

  @Test
  void shouldRejectAnIncompleteFileMode() {
    Run r = cli("evaluate", "--recs", "r.csv");
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err()).contains("--recs, --train and --test");
  }

  @Test
  @Timeout(30)
  void shouldFailBeforeStartingAnythingWhenTheDataDirIsMissing() {
    Run r = cli("demo", "--data", "/nonexistent/ml-100k");
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err())
        .contains("/nonexistent/ml-100k")
        .contains("no such directory")
        .contains("--data")
        .contains("STREAMREC_MOVIELENS_DIR");
    // no broker was started: that alone takes several seconds, and would print "Kafka started at"
    assertThat(r.out()).doesNotContain("Kafka");
    assertThat(r.millis()).isLessThan(5_000);
  }

  @Test
  void shouldSayWhenTheDataDirHoldsNoRatings(@TempDir Path empty) {
    Run r = cli("replay", "--data", empty.toString());
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err())
        .contains(empty.toString())
        .contains("no u.data, ratings.dat or ratings.csv");
  }

  @Test
  @Timeout(30)
  void shouldNameTheAddressWhenNoBrokerListens(@TempDir Path tmp) throws Exception {
    Run r =
        cli(
            "demo",
            "--data",
            tinyData(tmp.resolve("d")).toString(),
            "--bootstrap",
            "127.0.0.1:1",
            "--out",
            tmp.resolve("out").toString());
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err())
        .contains("Kafka is not reachable at 127.0.0.1:1")
        .contains("./streamrec kafka");
    assertThat(r.out()).doesNotContain("Kafka at").doesNotContain("Kafka reachable");
    assertThat(r.millis()).isLessThan(10_000);
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  @Timeout(30)
  void shouldGiveUpWithinTheTimeoutWhenTheAddressIsNotKafka() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + silent.getLocalPort();
      long t0 = System.nanoTime();
      Assertions.assertThatThrownBy(() -> Preflight.requireBroker(address, Duration.ofSeconds(3)))
          .isInstanceOf(UserError.class)
          .hasMessageContaining(address)
          .hasMessageContaining("within 3 s")
          .hasMessageContaining("--bootstrap");
      // the product promise: a port that is not Kafka is reported within about 10 s; with a 3 s
      // timeout that leaves room for a loaded machine, not for a second wait on close
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
    }
  }

  @Test
  void shouldRejectAnUnknownHostAndAMalformedAddress(@TempDir Path tmp) throws Exception {
    Path d = tinyData(tmp.resolve("d"));
    Run unknown = cli("replay", "--data", d.toString(), "--bootstrap", "no-such-host.invalid:9092");
    assertThat(unknown.rc()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown host no-such-host.invalid");
    Run malformed = cli("topics", "create", "--bootstrap", "localhost");
    assertThat(malformed.rc()).isEqualTo(2);
    assertOneLine(malformed);
    assertThat(malformed.err()).contains("'localhost'").contains("HOST:PORT");
  }

  @Test
  void shouldRefuseAnOutputDirectoryUnderAFile(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    Run r =
        cli(
            "evaluate",
            "--baselines-only",
            "--data",
            tinyData(tmp.resolve("d")).toString(),
            "--out",
            file.resolve("sub").toString());
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err()).contains("--out").contains(file + " is a file");
  }

  @Test
  void shouldRefuseABrokerDataDirUnderAFileBeforeStarting(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    Run r = cli("kafka", "--data-dir", file.resolve("kafka").toString(), "--port", "0");
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err()).contains("--data-dir");
  }

  @Test
  void shouldRefuseMissingFilesInFileMode(@TempDir Path tmp) {
    Run r =
        cli(
            "evaluate",
            "--recs",
            tmp.resolve("r.csv").toString(),
            "--train",
            "t.csv",
            "--test",
            "h.csv",
            "--out",
            tmp.resolve("o").toString());
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err()).contains("--recs").contains("no such file");
  }

  @Test
  void shouldAnswerAnUnknownFlagWithOneLineAndExitCode2() {
    Run r = cli("demo", "--no-such-flag");
    assertThat(r.rc()).isEqualTo(2);
    assertOneLine(r);
    assertThat(r.err()).contains("--no-such-flag").contains("streamrec demo --help");
  }

  @CommandLine.Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("wrapped", new IOException("disk on fire"));
    }
  }

  @Test
  void shouldPrintAStackTraceOnlyWithVerbose() {
    ByteArrayOutputStream quiet = new ByteArrayOutputStream();
    int rc =
        StreamRecCli.commandLine(
                new Boom(), new PrintStream(quiet, true, StandardCharsets.UTF_8), false)
            .execute();
    assertThat(rc).isEqualTo(1);
    String q = quiet.toString(StandardCharsets.UTF_8);
    assertThat(q.strip())
        .doesNotContain("\n")
        .contains("wrapped")
        .contains("IOException: disk on fire")
        .contains("--verbose");

    ByteArrayOutputStream loud = new ByteArrayOutputStream();
    StreamRecCli.commandLine(new Boom(), new PrintStream(loud, true, StandardCharsets.UTF_8), true)
        .execute();
    assertThat(loud.toString(StandardCharsets.UTF_8))
        .contains("\tat ")
        .contains("Caused by: java.io.IOException");
  }
}
