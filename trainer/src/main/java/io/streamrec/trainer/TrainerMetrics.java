package io.streamrec.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.trainer.core.OnlineLearner;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The trainer's meters, all named {@code streamrec.trainer.*} (plus the shared {@code
 * streamrec.dlq.records}). Tags have low cardinality: {@code table} (user, item), {@code reason},
 * {@code stage}.
 */
final class TrainerMetrics implements OnlineLearner.StepListener {
  private final Counter examples;
  private final Counter positivesTrained;
  private final Timer stepTime;
  private final DistributionSummary loss;
  private final Counter skipped;
  private final Counter publishedUsers;
  private final Counter publishedItems;
  private final Timer publishLag;
  private final Timer checkpointTime;
  private final MeterRegistry registry;
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private volatile double lastLoss = Double.NaN;
  private final Counter catchUps;
  private volatile int catchingUp;

  TrainerMetrics(
      MeterRegistry reg,
      Supplier<Number> version,
      Supplier<Number> userRows,
      Supplier<Number> itemRows,
      Supplier<Number> lag) {
    examples =
        Counter.builder("streamrec.trainer.examples")
            .description("New training examples learned")
            .register(reg);
    positivesTrained =
        Counter.builder("streamrec.trainer.positives.trained")
            .description("Positives in optimizer steps (new + replayed)")
            .register(reg);
    stepTime =
        Timer.builder("streamrec.trainer.step.time")
            .description("One optimizer step (sampling + DJL + Adam)")
            .publishPercentiles(0.5, 0.99)
            .register(reg);
    loss =
        DistributionSummary.builder("streamrec.trainer.batch.loss")
            .description("Mini-batch loss")
            .register(reg);
    Gauge.builder("streamrec.trainer.loss", () -> lastLoss)
        .description("Loss of the latest batch")
        .register(reg);
    skipped =
        Counter.builder("streamrec.trainer.batches.skipped")
            .tag("reason", "non-finite-loss")
            .description("Batches skipped because the loss was NaN/Inf")
            .register(reg);
    publishedUsers =
        Counter.builder("streamrec.trainer.embeddings.published")
            .tag("table", "user")
            .register(reg);
    publishedItems =
        Counter.builder("streamrec.trainer.embeddings.published")
            .tag("table", "item")
            .register(reg);
    publishLag =
        Timer.builder("streamrec.trainer.publish.lag")
            .description("Time from a row's first unpublished change to its publish")
            .publishPercentiles(0.5, 0.99)
            .register(reg);
    checkpointTime = Timer.builder("streamrec.trainer.checkpoint.time").register(reg);
    catchUps =
        Counter.builder("streamrec.trainer.catchup.entered")
            .description(
                "Times the trainer fell behind by trainer.catchup.lag and took whole batches of new examples")
            .register(reg);
    Gauge.builder("streamrec.trainer.catchup", () -> catchingUp)
        .description("1 while catching up (whole batches of new examples, no replay), else 0")
        .register(reg);
    registry = reg;
    for (DeadLetterReason r :
        List.of(
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.INVALID_USER_ID,
            DeadLetterReason.INVALID_ITEM_ID)) {
      deadLetterCounter(r);
    }
    Gauge.builder("streamrec.trainer.model.version", version).register(reg);
    Gauge.builder("streamrec.trainer.table.rows", userRows).tag("table", "user").register(reg);
    Gauge.builder("streamrec.trainer.table.rows", itemRows).tag("table", "item").register(reg);
    Gauge.builder("streamrec.trainer.input.lag", lag)
        .description("Records behind the end of the input")
        .register(reg);
  }

  @Override
  public void onStep(int positives, float batchLoss, long nanos, boolean wasSkipped) {
    stepTime.record(nanos, TimeUnit.NANOSECONDS);
    if (wasSkipped) {
      skipped.increment();
    } else {
      positivesTrained.increment(positives);
      loss.record(batchLoss);
      lastLoss = batchLoss;
    }
  }

  void example() {
    examples.increment();
  }

  void catchUp(boolean behind) {
    if (behind) {
      catchUps.increment();
    }
    catchingUp = behind ? 1 : 0;
  }

  void deadLetter(DeadLetterReason reason) {
    deadLetterCounter(reason).increment();
  }

  private synchronized Counter deadLetterCounter(DeadLetterReason reason) {
    return deadLetters.computeIfAbsent(
        reason, r -> DeadLetterMeter.counter(registry, "trainer", r));
  }

  void published(int users, int items, Duration lag) {
    publishedUsers.increment(users);
    publishedItems.increment(items);
    publishLag.record(lag);
  }

  void checkpoint(long nanos) {
    checkpointTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  double deadLetterCount(DeadLetterReason reason) {
    return deadLetterCounter(reason).count();
  }
}
