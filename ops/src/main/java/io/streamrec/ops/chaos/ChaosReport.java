package io.streamrec.ops.chaos;

import io.streamrec.ops.chaos.ChaosSystem.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one chaos run measured. Every field is a fact observed on the topics, the checkpoints or the
 * HTTP answers; nothing here is asserted: the caller ({@code ChaosIT}, {@code streamrec chaos})
 * decides what must hold.
 *
 * @param ratingsSent ratings the replay producer had acknowledged
 * @param ratingsDistinct distinct ratings (user, item, event time) in the replayed subset
 * @param exampleRecords committed records on the training-examples topic
 * @param deadLetters committed records on the ingest dead-letter topic
 * @param deadLetterReasons dead letters per {@code streamrec.error.reason}
 * @param lost ratings found neither as an example nor as a dead letter
 * @param duplicated extra copies (a rating found more than once, over examples and dead letters)
 * @param kills one row per kill, in order
 * @param trainer the trainer's at-least-once and version checks
 * @param serving serving's answers after the kills
 * @param servingFresh serving's answers after a restart with its state directory deleted (null if
 *     skipped)
 * @param leftRunning child processes still alive after the run
 * @param supervisorRestarts services that exited on their own (not killed) and were started again
 * @param seconds wall time of the whole run
 * @param errors anything that went wrong outside the measured facts (a service that would not
 *     start)
 */
public record ChaosReport(
    long ratingsSent,
    long ratingsDistinct,
    long exampleRecords,
    long deadLetters,
    Map<String, Integer> deadLetterReasons,
    long lost,
    long duplicated,
    List<KillResult> kills,
    TrainerCheck trainer,
    ServingCheck serving,
    ServingCheck servingFresh,
    int leftRunning,
    List<String> supervisorRestarts,
    double seconds,
    List<String> errors) {

  /**
   * @param kill what was planned
   * @param atSecond seconds since the replay started
   * @param exitCode exit code of the killed process (137 = SIGKILL)
   * @param restartToReady from the kill to the new process answering {@code /health/ready} 200
   *     (broker: to answering metadata requests); null when it never became ready
   * @param note why it did not recover, or extra detail
   */
  public record KillResult(
      KillPlan.Kill kill, double atSecond, int exitCode, Duration restartToReady, String note) {}

  /**
   * @param checkpointExamples examples trained according to the newest checkpoint after a clean
   *     stop
   * @param checkpointCovers the checkpoint's offsets are at or past every committed example
   * @param checkpointVersions model version of the newest checkpoint, read after each trainer kill
   *     and at the end
   * @param versionsMonotonic {@code checkpointVersions} never decreases
   * @param embeddingRows rows read on the embedding topics
   * @param versionDecreases rows whose model version is below the previous row's in the same
   *     partition
   * @param firstDecrease where the first decrease is, or null
   * @param stopExitCode exit code of the trainer's clean stop (SIGTERM)
   */
  public record TrainerCheck(
      long checkpointExamples,
      boolean checkpointCovers,
      List<Long> checkpointVersions,
      boolean versionsMonotonic,
      long embeddingRows,
      long versionDecreases,
      String firstDecrease,
      int stopExitCode) {}

  /**
   * @param restartToReady time from the (re)start to {@code /health/ready} 200
   * @param usersAsked users asked for {@code /recommendations/{user}}
   * @param answered 200 answers with a non-empty list
   * @param personalised answers that are not the popularity fallback
   * @param seenItemsServed items in an answer that the user had rated in the replay (must be 0)
   * @param failures first few problems (status, body)
   */
  public record ServingCheck(
      Duration restartToReady,
      int usersAsked,
      int answered,
      int personalised,
      int seenItemsServed,
      List<String> failures) {}

  /** Kills of {@code s} whose restart reached readiness. */
  public long recovered(Service s) {
    return kills.stream()
        .filter(k -> k.kill().service() == s && k.restartToReady() != null)
        .count();
  }

  /**
   * The guarantees this run broke, one line each (empty = every guarantee held): nothing lost or
   * duplicated, every kill recovered, the trainer's checkpoint covers every committed example and
   * its versions never decrease (in the checkpoints and on the embedding topics), serving answered
   * personalised lists without seen items after the kills and after the fresh restart, no process
   * left running, no error.
   */
  public List<String> violations() {
    List<String> v = new ArrayList<>();
    if (lost != 0) {
      v.add(lost + " ratings lost");
    }
    if (duplicated != 0) {
      v.add(duplicated + " ratings duplicated");
    }
    if (ratingsSent < ratingsDistinct) {
      v.add("the replay acknowledged " + ratingsSent + " of " + ratingsDistinct + " ratings");
    }
    for (KillResult k : kills) {
      if (k.restartToReady() == null) {
        v.add(
            "kill #"
                + k.kill().index()
                + " ("
                + k.kill().service()
                + ") did not recover: "
                + k.note());
      }
    }
    if (trainer == null) {
      v.add("trainer not checked");
    } else {
      if (!trainer.checkpointCovers() || trainer.checkpointExamples() < exampleRecords) {
        v.add(
            "trainer checkpoint ("
                + trainer.checkpointExamples()
                + " examples) does not cover the "
                + exampleRecords
                + " committed examples");
      }
      if (!trainer.versionsMonotonic() || trainer.versionDecreases() > 0) {
        v.add(
            "model versions decreased: checkpoints "
                + trainer.checkpointVersions()
                + ", "
                + trainer.versionDecreases()
                + " rows (first "
                + trainer.firstDecrease()
                + ")");
      }
    }
    servingViolations(v, "after the kills", serving);
    servingViolations(v, "after the fresh restart", servingFresh);
    if (leftRunning != 0) {
      v.add(leftRunning + " processes left running");
    }
    for (String e : errors) {
      v.add("error: " + e);
    }
    return List.copyOf(v);
  }

  private static void servingViolations(List<String> v, String when, ServingCheck s) {
    if (s == null) {
      return;
    }
    if (s.answered() < s.usersAsked() || s.personalised() < s.usersAsked()) {
      v.add(
          "serving "
              + when
              + ": "
              + s.answered()
              + " answered, "
              + s.personalised()
              + " personalised of "
              + s.usersAsked()
              + " "
              + s.failures());
    }
    if (s.seenItemsServed() > 0) {
      v.add("serving " + when + ": " + s.seenItemsServed() + " seen items served");
    }
  }

  /** The report as text for the console. */
  public String format() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Chaos run: %,d ratings replayed (%,d distinct), %d kills, %.1f s%n",
            ratingsSent,
            ratingsDistinct,
            kills.size(),
            seconds));
    b.append(
        String.format(
            Locale.ROOT,
            "  ingest: %,d training examples + %,d dead letters %s; lost %d, duplicated %d%n",
            exampleRecords,
            deadLetters,
            deadLetterReasons,
            lost,
            duplicated));
    b.append("  kills:\n");
    b.append(
        String.format(
            Locale.ROOT,
            "    %-3s %-12s %10s %8s %6s %18s  %s%n",
            "#",
            "service",
            "at rating",
            "at s",
            "exit",
            "restart->ready s",
            "note"));
    for (KillResult k : kills) {
      b.append(
          String.format(
              Locale.ROOT,
              "    %-3d %-12s %,10d %8.1f %6d %18s  %s%n",
              k.kill().index(),
              k.kill().service().name().toLowerCase(Locale.ROOT).replace('_', '-'),
              k.kill().atRating(),
              k.atSecond(),
              k.exitCode(),
              k.restartToReady() == null
                  ? "not ready"
                  : String.format(Locale.ROOT, "%.1f", k.restartToReady().toMillis() / 1000.0),
              k.note() == null ? "" : k.note()));
    }
    if (trainer != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "  trainer: checkpoint %,d examples (covers every committed example: %s),"
                  + " checkpoint versions %s (never decrease: %s), %,d embedding rows with %d version decreases%s,"
                  + " clean stop exit %d%n",
              trainer.checkpointExamples(),
              trainer.checkpointCovers(),
              trainer.checkpointVersions(),
              trainer.versionsMonotonic(),
              trainer.embeddingRows(),
              trainer.versionDecreases(),
              trainer.firstDecrease() == null ? "" : " (first " + trainer.firstDecrease() + ")",
              trainer.stopExitCode()));
    }
    appendServing(b, "serving after the kills", serving);
    appendServing(b, "serving after a restart with its state dir deleted", servingFresh);
    for (String r : supervisorRestarts) {
      b.append("  supervisor: ").append(r).append('\n');
    }
    b.append(String.format(Locale.ROOT, "  processes left running: %d%n", leftRunning));
    List<String> v = violations();
    b.append(v.isEmpty() ? "  every guarantee held\n" : "  VIOLATED:\n");
    for (String e : v) {
      b.append("    - ").append(e).append('\n');
    }
    return b.toString();
  }

  private static void appendServing(StringBuilder b, String title, ServingCheck s) {
    if (s == null) {
      return;
    }
    b.append(
        String.format(
            Locale.ROOT,
            "  %s: ready after %s s, %d users asked, %d answered, %d personalised,"
                + " %d seen items served%s%n",
            title,
            s.restartToReady() == null
                ? "-"
                : String.format(Locale.ROOT, "%.1f", s.restartToReady().toMillis() / 1000.0),
            s.usersAsked(),
            s.answered(),
            s.personalised(),
            s.seenItemsServed(),
            s.failures().isEmpty() ? "" : "; first failures " + s.failures()));
  }
}
