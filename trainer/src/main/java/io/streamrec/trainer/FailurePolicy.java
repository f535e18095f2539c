package io.streamrec.trainer;

import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retriable versus fatal failures of the trainer loop. A failure is retriable when a {@link
 * RetriableException} (broker or network trouble the Kafka clients expect to pass: timeouts, leader
 * changes, disconnects) or an {@link IOException} is in its cause chain; the loop then backs off
 * (100 ms doubling up to 5 s), rewinds to its applied offsets and tries again. Anything else (a
 * bug, a fenced or misconfigured client, a model error) is fatal: the loop stops and {@code
 * TrainerMain} exits non-zero. Retrying has a budget: once failures have lasted {@code
 * trainer.retry.timeout.ms} without a successful iteration in between, the next one is fatal too.
 */
final class FailurePolicy {
  private static final Logger log = LoggerFactory.getLogger(FailurePolicy.class);
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Duration budget;
  private long failingSinceNanos = -1;
  private long backoffMs = FIRST_BACKOFF_MS;
  private int failures;

  FailurePolicy(Duration budget) {
    this.budget = budget;
  }

  /**
   * Whether {@code t} or one of its causes is a {@link RetriableException} or an {@link
   * IOException}.
   */
  static boolean retriable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof RetriableException || c instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Handles a failure: returns the back-off to wait before retrying, or rethrows {@code e} when it
   * is fatal or the retry budget is spent.
   */
  Duration onFailure(RuntimeException e) {
    long now = System.nanoTime();
    if (!retriable(e)) {
      throw e;
    }
    if (failingSinceNanos < 0) {
      failingSinceNanos = now;
    }
    if (now - failingSinceNanos > budget.toNanos()) {
      log.error(
          "Retriable failures for longer than {} ({} in a row); giving up", budget, failures + 1);
      throw e;
    }
    failures++;
    Duration wait = Duration.ofMillis(backoffMs);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    log.warn(
        "Retriable failure #{} ({}); retrying in {} ms", failures, e.toString(), wait.toMillis());
    return wait;
  }

  /** An iteration succeeded: the next failure starts a fresh budget and back-off. */
  void onSuccess() {
    if (failures > 0) {
      log.info("Recovered after {} retriable failure(s)", failures);
    }
    failingSinceNanos = -1;
    backoffMs = FIRST_BACKOFF_MS;
    failures = 0;
  }
}
