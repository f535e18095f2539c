package io.streamrec.trainer;

import io.streamrec.avro.TrainingExample;
import io.streamrec.trainer.core.OnlineLearner;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One trainer's loop, on one thread. It only orchestrates; each step is another class's job:
 *
 * <pre>
 *   poll ({@link ExampleSource}) → decode / dead-letter ({@link ExampleDecoder})
 *        → merge in event time ({@link EventTimeMerge}) → learn ({@link #apply}, {@link OnlineLearner})
 *        → publish ({@link EmbeddingPublisher}) → checkpoint ({@link Checkpoints}) → commit ({@link ExampleSource})
 * </pre>
 *
 * {@code applied} holds, per partition, the next offset whose record is not yet part of the model;
 * it is what the checkpoint stores and what is committed, and where the input is rewound to after a
 * retriable failure ({@link #recover}). When the input is drained it trains on the replay buffer
 * for up to {@code trainer.idle.steps} steps, publishing as it goes.
 */
final class TrainerLoop {
  private static final Logger log = LoggerFactory.getLogger(TrainerLoop.class);
  private static final int MAX_BUFFERED = 20_000;

  private final TrainerConfig cfg;
  private final OnlineLearner learner;
  private final ExampleSource source;
  private final ExampleDecoder decoder;
  private final EmbeddingPublisher publisher;
  private final Checkpoints checkpoints;
  private final TrainerMetrics metrics;
  private final TrainerStatus status;
  private final Map<TopicPartition, Long> applied = new HashMap<>();
  private EventTimeMerge merge = new EventTimeMerge(List.of(), MAX_BUFFERED);
  private boolean bootstrapDone;
  private long lastCheckpointNanos = System.nanoTime();
  private boolean changedSinceCheckpoint;
  private int idleDone;
  private boolean learnedThisPoll;
  private boolean frozen;
  private boolean idleStepsLeft;

  TrainerLoop(
      TrainerConfig cfg,
      OnlineLearner learner,
      ExampleSource source,
      DeadLetterWriter deadLetters,
      EmbeddingPublisher publisher,
      Checkpoints checkpoints,
      TrainerMetrics metrics,
      TrainerStatus status) {
    this.cfg = cfg;
    this.learner = learner;
    this.source = source;
    this.decoder = new ExampleDecoder(deadLetters);
    this.publisher = publisher;
    this.checkpoints = checkpoints;
    this.metrics = metrics;
    this.status = status;
  }

  // ---- start
  // ------------------------------------------------------------------------------------------------

  /**
   * Restores the newest checkpoint into the learner, if any; returns its input offsets (empty for a
   * fresh model).
   */
  Map<String, Long> restore() {
    Optional<Checkpoints.Snapshot> snap = checkpoints.loadNewest();
    if (snap.isEmpty()) {
      log.info("No checkpoint in {}; starting a fresh model", cfg.checkpointDir());
      publisher.startAbove(0);
      return Map.of();
    }
    Checkpoints.Snapshot s = snap.get();
    learner.restore(s.learner());
    learner.markAllDirty();
    publisher.startAbove(s.modelVersion());
    status.examplesTrained = s.examplesTrained();
    bootstrapDone = s.bootstrapDone();
    log.info(
        "Restored checkpoint #{} (model version {}, {} examples, {} users, {} items)",
        s.sequence(),
        s.modelVersion(),
        s.examplesTrained(),
        learner.userCount(),
        learner.itemCount());
    return s.offsets();
  }

  /** Versions continue above {@code published} too (the newest version on the embedding topics). */
  void versionsAbove(long published) {
    publisher.startAbove(Math.max(publisher.version(), published));
    status.modelVersion = publisher.version();
  }

  /** Assigns the input and positions it at the restored offsets. */
  void assign(Map<String, Long> restoredOffsets, BooleanSupplier running) {
    applied.clear();
    applied.putAll(source.assign(restoredOffsets, running, Duration.ofSeconds(60)));
    merge = new EventTimeMerge(source.partitions(), MAX_BUFFERED);
    status.userRows = learner.userCount();
    status.itemRows = learner.itemCount();
    lastCheckpointNanos = System.nanoTime();
  }

  boolean bootstrapDone() {
    return bootstrapDone;
  }

  /**
   * Whether the input is assigned (a clean stop before that writes no checkpoint: it would hold no
   * offsets).
   */
  boolean assigned() {
    return !source.partitions().isEmpty();
  }

  // ---- the online loop
  // --------------------------------------------------------------------------------------

  /**
   * One iteration: poll → merge → learn → (idle training) → publish → checkpoint → commit. While
   * idle steps are left the poll does not wait ({@code Duration.ZERO}): idle training runs at full
   * speed, a few steps ({@code trainer.idle.steps.per.poll}) between polls, so a new example waits
   * at most that many steps.
   */
  void step() {
    ConsumerRecords<byte[], byte[]> records =
        source.poll(idleStepsLeft ? Duration.ZERO : cfg.pollTimeout());
    boolean got = !records.isEmpty() || merge.buffered() > 0;
    learnInTimeOrder(records);
    long lag = source.lag() + merge.buffered();
    status.lag = lag;
    catchUp(lag);
    if (got) {
      idleDone = 0;
    } else if (lag == 0 && idleDone < cfg.idleSteps() && !frozen) {
      int n = Math.min(cfg.idleStepsPerPoll(), cfg.idleSteps() - idleDone);
      int ran = learner.trainIdle(n);
      idleDone = ran == 0 ? cfg.idleSteps() : idleDone + ran;
      if (ran > 0) {
        changed();
      }
    }
    idleStepsLeft = !got && lag == 0 && idleDone < cfg.idleSteps() && !frozen;
    publish(false);
    maybeCheckpoint(false);
    source.commitAsync(applied);
    status.userRows = learner.userCount();
    status.itemRows = learner.itemCount();
    status.idle =
        !got
            && lag == 0
            && (idleDone >= cfg.idleSteps() || frozen)
            && learner.dirtyCount() == 0
            && learner.pending() == 0;
  }

  /**
   * While the input lag is at least {@code trainer.catchup.lag}, a step takes a whole batch of new
   * examples: a full-softmax step costs the same whatever its mix, so the backlog drains up to
   * batch/new times faster, and replay mixing comes back once the trainer is within the bound (then
   * idle steps train on the replay buffer).
   */
  private void catchUp(long lag) {
    boolean behind = cfg.catchUpLag() > 0 && lag >= cfg.catchUpLag();
    int want = behind ? cfg.learner().batchSize() : cfg.learner().newPerStep();
    if (learner.newPerStep() != want) {
      log.debug(
          "{} catch-up: input lag {}, {} new examples per step",
          behind ? "Entering" : "Leaving",
          lag,
          want);
      learner.setNewPerStep(want);
      metrics.catchUp(behind);
    }
  }

  /**
   * Decodes (or dead-letters) the polled records, then learns what the merge lets through, in
   * event-time order.
   */
  private void learnInTimeOrder(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      merge.add(new TopicPartition(r.topic(), r.partition()), decoder.decode(r));
    }
    learnedThisPoll = false;
    merge.drain(
        source::caughtUp,
        (tp, p) -> {
          if (p.example() != null) {
            apply(p.example());
          }
          applied.put(tp, p.offset() + 1);
        });
    source.pauseOnly(merge.full());
    if (learnedThisPoll) {
      learner.flush();
      status.examplesTrained = learner.examples();
      changed();
    }
  }

  /**
   * The one place where an example, taken in event-time order across partitions, updates the model.
   * Options that decide whether or how an example is applied (for example freezing the model from
   * some event time on) belong here; the example's offset counts as done either way.
   */
  private void apply(TrainingExample ex) {
    if (frozen || ex.getTimestamp().toEpochMilli() >= cfg.freezeAtEventTime()) {
      if (!frozen) {
        log.info(
            "Model frozen at event time {} (trainer.freeze.at.event.time.ms): no further updates",
            ex.getTimestamp());
      }
      frozen = true;
      return;
    }
    learner.learn(ex.getUserId(), ex.getItemId(), ex.getRating(), ex.getTimestamp().toEpochMilli());
    metrics.example();
    learnedThisPoll = true;
  }

  private void changed() {
    changedSinceCheckpoint = true;
    publisher.noteDirty(learner);
  }

  private void publish(boolean force) {
    if (publisher.maybePublish(learner, force)) {
      status.modelVersion = publisher.version();
    }
  }

  // ---- bootstrap
  // --------------------------------------------------------------------------------------------

  /**
   * Re-reads the retained input {@code trainer.bootstrap.epochs} times, then returns to the online
   * position.
   */
  void bootstrap(BooleanSupplier running) {
    List<TopicPartition> partitions = source.partitions();
    Map<TopicPartition, Long> ends = source.endOffsets(Duration.ofSeconds(30));
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    log.info("Bootstrap: {} epoch(s) over {} retained records", cfg.bootstrapEpochs(), total);
    for (int epoch = 1; epoch <= cfg.bootstrapEpochs() && running.getAsBoolean(); epoch++) {
      if (epoch > 1) {
        source.seekToBeginning();
      }
      boolean first = epoch == 1;
      while (running.getAsBoolean() && !reached(partitions, ends, first)) {
        ConsumerRecords<byte[], byte[]> recs = source.poll(cfg.pollTimeout());
        if (first) {
          learnInTimeOrder(recs);
        } else {
          relearn(recs, ends);
        }
        publish(false);
        if (first) {
          maybeCheckpoint(false);
          source.commitAsync(applied);
        }
        status.userRows = learner.userCount();
        status.itemRows = learner.itemCount();
      }
      log.info("Bootstrap epoch {} done ({} steps so far)", epoch, learner.steps());
    }
    source.seek(applied);
    bootstrapDone = true;
  }

  /** Marks the bootstrap as done without running it (no epochs configured, or restored as done). */
  void skipBootstrap() {
    bootstrapDone = true;
  }

  /**
   * Bootstrap passes after the first: trains again on the decodable records below the ends (no
   * counts, replay or offsets).
   */
  private void relearn(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, Long> ends) {
    boolean any = false;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.offset() >= ends.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
        continue;
      }
      any = true;
      TrainingExample ex = decoder.decodeQuietly(r); // null: dead-lettered on the first pass
      if (ex != null) {
        learner.relearn(ex.getUserId(), ex.getItemId(), ex.getTimestamp().toEpochMilli());
      }
    }
    if (any) {
      learner.flush();
      changed();
    }
  }

  private boolean reached(
      List<TopicPartition> partitions, Map<TopicPartition, Long> ends, boolean first) {
    for (TopicPartition tp : partitions) {
      long pos = first ? applied.getOrDefault(tp, 0L) : source.position(tp);
      if (pos < ends.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  // ---- checkpoints, recovery, stop
  // --------------------------------------------------------------------------

  private void maybeCheckpoint(boolean force) {
    if (!changedSinceCheckpoint && !force) {
      return;
    }
    if (!force && System.nanoTime() - lastCheckpointNanos < cfg.checkpointInterval().toNanos()) {
      return;
    }
    checkpointNow();
  }

  private void checkpointNow() {
    long t0 = System.nanoTime();
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (TopicPartition tp : source.partitions()) {
      Long off = applied.get(tp);
      if (off != null) {
        offsets.put(ExampleSource.key(tp), off);
      }
    }
    var path =
        checkpoints.write(
            publisher.version(), status.examplesTrained, bootstrapDone, offsets, learner.state());
    lastCheckpointNanos = System.nanoTime();
    changedSinceCheckpoint = false;
    metrics.checkpoint(lastCheckpointNanos - t0);
    log.info(
        "Checkpoint {} (model version {}, {} examples) in {} ms",
        path.getFileName(),
        publisher.version(),
        status.examplesTrained,
        TimeUnit.NANOSECONDS.toMillis(lastCheckpointNanos - t0));
  }

  /**
   * After a retriable failure: drops the merge buffers and rewinds the input to the applied offsets
   * (what was buffered is read again), and marks every row dirty when a publish was cut short.
   */
  void recover() {
    merge.clear();
    source.seek(applied);
    if (publisher.interrupted()) {
      learner.markAllDirty();
      publisher.recovered();
    }
  }

  /** The final flush, publish, checkpoint and synchronous commit of a clean stop. */
  void finish() {
    learner.flush();
    publish(true);
    checkpointNow();
    source.commitSync(new HashMap<>(applied), Duration.ofSeconds(5));
  }

  /** The applied (next) offset per partition (tests). */
  Map<TopicPartition, Long> applied() {
    return Map.copyOf(applied);
  }
}
