package io.streamrec.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.trainer.core.EmbeddingTable;
import io.streamrec.trainer.core.OnlineLearner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online trainer: consumes {@link Topics#TRAINING_EXAMPLES} ({@code byte[]}, decoded here, read with
 * {@code isolation.level=read_committed} so records of aborted ingest transactions are never learned; records that
 * cannot be learned go to {@link Topics#DLQ_TRAINER} with {@link DeadLetterHeaders} and a {@link DeadLetterReason},
 * and their offsets count as done only once the broker acknowledged the dead letter), learns with an {@link OnlineLearner}, publishes
 * the rows it changed to {@link Topics#USER_EMBEDDINGS} / {@link Topics#ITEM_EMBEDDINGS} at most every
 * {@code trainer.publish.interval.ms}, and checkpoints atomically.
 *
 * <p>One background thread owns the consumer, the learner and the producer. Per poll: decode the records and learn
 * them in event-time order across partitions (see {@link #learnInTimeOrder}), flush the learner (so every example
 * whose offset is marked applied has been applied to the model), publish when due,
 * checkpoint when due, then commit the applied offsets. When the input is drained it trains on the replay buffer
 * for up to {@code trainer.idle.steps} steps, publishing as it goes.
 *
 * <p>Delivery guarantee: at-least-once. The checkpoint (model + optimizer + id index + offsets, written
 * atomically) is the source of truth; a restart restores the newest checkpoint and seeks to its offsets, so the
 * examples consumed after that checkpoint are trained again: nothing is lost, and each example is applied exactly
 * once to the restored model's lineage (its earlier application died with the crashed process, though rows
 * published from it were already visible downstream). Committed consumer-group offsets are for monitoring.
 * Model versions are strictly increasing across restarts: a restart continues above both the checkpointed version
 * and the newest version found on the embedding topics.
 */
public final class TrainerService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainerService.class);
  private static final String STAGE = "trainer";

  private final TrainerConfig cfg;
  private final TrainerMetrics metrics;
  private final TopicSpec<String, TrainingExample> input;
  private final TopicSpec<String, EmbeddingUpdate> userTopic;
  private final TopicSpec<String, EmbeddingUpdate> itemTopic;
  private final TopicSpec<byte[], byte[]> dlqTopic;
  private final AvroSerde<TrainingExample> exampleSerde = AvroSerde.of(TrainingExample.class);
  private final AvroSerde<EmbeddingUpdate> embeddingSerde = AvroSerde.of(EmbeddingUpdate.class);
  private final Checkpoints checkpoints;
  private final Thread thread;

  private volatile boolean running;
  private volatile boolean abort;
  private volatile long modelVersion;
  private volatile long examplesTrained;
  private volatile long lag = -1;
  private volatile boolean idle;
  private volatile int userRows;
  private volatile int itemRows;
  private volatile Throwable failure;

  // Owned by the loop thread.
  private OnlineLearner learner;
  private KafkaConsumer<byte[], byte[]> consumer;
  private KafkaProducer<byte[], byte[]> producer;
  private List<TopicPartition> partitions = List.of();
  private final Map<TopicPartition, Long> applied = new HashMap<>();
  private final Map<TopicPartition, java.util.ArrayDeque<Pending>> merge = new HashMap<>();
  private static final java.util.ArrayDeque<Pending> EMPTY = new java.util.ArrayDeque<>(0);
  private static final int MAX_BUFFERED = 20_000;
  private boolean bootstrapDone;
  private long lastPublishNanos;
  private long firstDirtyNanos = -1;
  private long lastCheckpointNanos;
  private int idleDone;
  private boolean changedSinceCheckpoint;

  public TrainerService(TrainerConfig cfg, MeterRegistry registry) {
    this.cfg = cfg;
    String sfx = cfg.topicsSuffix();
    this.input = Topics.TRAINING_EXAMPLES.withSuffix(sfx);
    this.userTopic = Topics.USER_EMBEDDINGS.withSuffix(sfx);
    this.itemTopic = Topics.ITEM_EMBEDDINGS.withSuffix(sfx);
    this.dlqTopic = Topics.DLQ_TRAINER.withSuffix(sfx);
    this.checkpoints = new Checkpoints(cfg.checkpointDir(), cfg.checkpointKeep());
    this.metrics = new TrainerMetrics(registry, () -> modelVersion, () -> userRows, () -> itemRows,
        () -> Math.max(0, lag));
    this.thread = new Thread(this::runLoop, "streamrec-trainer");
    this.thread.setDaemon(false);
  }

  /** Starts the background training thread. */
  public synchronized void start() {
    if (running || thread.isAlive()) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread.start();
  }

  /** Newest published model version (0 before the first publish). */
  public long modelVersion() {
    return modelVersion;
  }

  /** Distinct input examples applied to the model (restored from the checkpoint on restart). */
  public long examplesTrained() {
    return examplesTrained;
  }

  /** Records between the applied position and the end of the input ({@code -1} before the first poll). */
  public long lag() {
    return lag;
  }

  /** Caught up with the input, idle budget spent, every change published. */
  public boolean idle() {
    return idle;
  }

  /** The error that stopped the loop, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  public boolean isRunning() {
    return thread.isAlive();
  }

  /** Stops after a final flush, publish and checkpoint; waits at most {@code trainer.close.timeout.ms}. */
  @Override
  public void close() {
    stop(false);
  }

  /**
   * Stops like a crash would: no final publish of pending rows, no final checkpoint, no offset commit. What the
   * trainer learned since its last checkpoint is lost and will be re-learned from Kafka on the next start.
   */
  public void abort() {
    stop(true);
  }

  private void stop(boolean crash) {
    abort = crash;
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread.isAlive() && Thread.currentThread() != thread) {
      try {
        thread.join(cfg.closeTimeout().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("Trainer thread did not stop within {}", cfg.closeTimeout());
      }
    }
  }

  // ---- the loop ---------------------------------------------------------------------------------------------

  private void runLoop() {
    try {
      init();
      if (!bootstrapDone && cfg.bootstrapEpochs() > 0) {
        bootstrap();
      }
      bootstrapDone = true;
      while (running) {
        ConsumerRecords<byte[], byte[]> records = poll();
        boolean got = !records.isEmpty() || buffered() > 0;
        learnInTimeOrder(records);
        afterPoll(got);
      }
    } catch (WakeupException e) {
      // close() or abort() woke the consumer up.
    } catch (RuntimeException | Error e) {
      failure = e;
      log.error("Trainer loop failed", e);
    } finally {
      shutdown();
    }
  }

  private void init() {
    checkpoints.ensureWritable();
    configureEngine();
    Device device = pickDevice();
    learner = new OnlineLearner(cfg.learner(), device);
    learner.setListener(metrics);
    consumer = new KafkaConsumer<>(consumerProps());
    producer = new KafkaProducer<>(producerProps());
    Optional<Checkpoints.Snapshot> snap = checkpoints.loadNewest();
    long floor = 0;
    Map<String, Long> restoredOffsets = Map.of();
    if (snap.isPresent()) {
      Checkpoints.Snapshot s = snap.get();
      learner.restore(s.learner());
      learner.markAllDirty();
      floor = s.modelVersion();
      examplesTrained = s.examplesTrained();
      bootstrapDone = s.bootstrapDone();
      restoredOffsets = s.offsets();
      log.info("Restored checkpoint #{} (model version {}, {} examples, {} users, {} items)", s.sequence(),
          s.modelVersion(), s.examplesTrained(), learner.userCount(), learner.itemCount());
    } else {
      log.info("No checkpoint in {}; starting a fresh model", cfg.checkpointDir());
    }
    modelVersion = Math.max(floor, lastPublishedVersion());
    userRows = learner.userCount();
    itemRows = learner.itemCount();
    assignInput(restoredOffsets);
    long now = System.nanoTime();
    lastPublishNanos = now;
    lastCheckpointNanos = now;
    log.info("Trainer started: input {}, device {}, {} torch thread(s), model version {}, settings {}",
        input.name(), learner.device(), cfg.torchThreads(), modelVersion, cfg.learner());
  }

  private void configureEngine() {
    String threads = Integer.toString(cfg.torchThreads());
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", threads);
    }
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    Engine.getEngine("PyTorch");
    try {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(cfg.torchThreads());
    } catch (RuntimeException e) {
      log.debug("Could not set torch threads: {}", e.toString());
    }
  }

  private Device pickDevice() {
    if (cfg.device().equals("gpu")) {
      int gpus = Engine.getEngine("PyTorch").getGpuCount();
      if (gpus > 0) {
        return Device.gpu();
      }
      log.warn("trainer.device=gpu but PyTorch sees no CUDA device; training on the CPU");
    }
    return Device.cpu();
  }

  private void assignInput(Map<String, Long> restored) {
    List<PartitionInfo> infos = List.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (running) {
      infos = consumer.partitionsFor(input.name(), Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Input topic " + input.name() + " does not exist");
      }
      log.info("Waiting for input topic {}", input.name());
      sleepQuietly(500);
    }
    List<TopicPartition> tps = new ArrayList<>();
    for (PartitionInfo pi : infos) {
      tps.add(new TopicPartition(pi.topic(), pi.partition()));
    }
    partitions = List.copyOf(tps);
    consumer.assign(partitions);
    for (TopicPartition tp : partitions) {
      Long off = restored.get(key(tp));
      if (off != null) {
        consumer.seek(tp, off);
        applied.put(tp, off);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  private ConsumerRecords<byte[], byte[]> poll() {
    return consumer.poll(cfg.pollTimeout());
  }

  /**
   * Learns the first-pass records in event-time order across partitions. The input is partitioned by user, and a
   * poll returns large per-partition chunks, so taking records as they come would learn one partition's future
   * before another's past; recency matters for this model. Records wait in per-partition buffers; the earliest
   * buffered example is learned as long as every partition either has a buffered record or is caught up (so no
   * earlier record can still arrive). Partitions with a full buffer are paused. Undecodable records are
   * dead-lettered as they arrive.
   */
  private void learnInTimeOrder(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      java.util.ArrayDeque<Pending> q = merge.computeIfAbsent(tp, k -> new java.util.ArrayDeque<>());
      TrainingExample ex;
      try {
        ex = exampleSerde.decode(r.value());
      } catch (SerializationException | IllegalArgumentException e) {
        q.add(new Pending(null, r.offset(), deadLetter(r, DeadLetterReason.UNDECODABLE, e)));
        continue;
      }
      DeadLetterReason invalid = validate(ex);
      if (invalid != null) {
        q.add(new Pending(null, r.offset(), deadLetter(r, invalid,
            new IllegalArgumentException(invalid.tag() + ": empty or blank id"))));
      } else {
        q.add(new Pending(ex, r.offset(), null));
      }
    }
    boolean learned = false;
    while (true) {
      TopicPartition next = null;
      long nextTime = Long.MAX_VALUE;
      boolean blocked = false;
      for (TopicPartition tp : partitions) {
        java.util.ArrayDeque<Pending> q = merge.getOrDefault(tp, EMPTY);
        if (q.isEmpty()) {
          if (!caughtUp(tp)) {
            blocked = true;
            break;
          }
          continue;
        }
        if (!q.peek().ready()) {
          blocked = true; // a dead letter whose write is not acknowledged yet: its offset cannot count as done
          break;
        }
        long t = q.peek().time();
        if (t < nextTime) {
          nextTime = t;
          next = tp;
        }
      }
      if (blocked || next == null) {
        break;
      }
      Pending p = merge.get(next).poll();
      if (p.example() != null) {
        TrainingExample ex = p.example();
        learner.learn(ex.getUserId(), ex.getItemId(), ex.getRating(), ex.getTimestamp().toEpochMilli());
        metrics.example();
        learned = true;
      }
      applied.put(next, p.offset() + 1);
    }
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      (merge.getOrDefault(tp, EMPTY).size() >= MAX_BUFFERED ? pause : resume).add(tp);
    }
    consumer.pause(pause);
    consumer.resume(resume);
    if (learned) {
      learner.flush();
      examplesTrained = learner.examples();
      changedSinceCheckpoint = true;
      noteDirty();
    }
  }

  private boolean caughtUp(TopicPartition tp) {
    OptionalLong l = consumer.currentLag(tp);
    if (l.isPresent()) {
      return l.getAsLong() == 0;
    }
    Long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(5)).get(tp);
    return end != null && consumer.position(tp) >= end;
  }

  private int buffered() {
    int n = 0;
    for (java.util.ArrayDeque<Pending> q : merge.values()) {
      n += q.size();
    }
    return n;
  }

  /**
   * A decoded example, or a dead-lettered record (example null, with the acknowledgement of its dead-letter write),
   * waiting for its turn in event-time order.
   */
  private record Pending(TrainingExample example, long offset, DeadLetterAck ack) {
    long time() {
      return example == null ? Long.MIN_VALUE : example.getTimestamp().toEpochMilli();
    }

    /** Examples are ready at once; a dead letter once the broker acknowledged it (throws if the write failed). */
    boolean ready() {
      if (ack == null) {
        return true;
      }
      Exception e = ack.error;
      if (e != null) {
        throw new org.apache.kafka.common.KafkaException("Cannot write a dead letter for offset " + offset, e);
      }
      return ack.done;
    }
  }

  /** Completion of one dead-letter write, set by the producer's callback. */
  private static final class DeadLetterAck {
    volatile boolean done;
    volatile Exception error;
  }

  /** Bootstrap passes after the first: trains again on the decodable records (no counts, replay or offsets). */
  private void relearn(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TrainingExample ex;
      try {
        ex = exampleSerde.decode(r.value());
      } catch (SerializationException | IllegalArgumentException e) {
        continue; // dead-lettered on the first pass
      }
      if (validate(ex) == null) {
        learner.relearn(ex.getUserId(), ex.getItemId(), ex.getTimestamp().toEpochMilli());
      }
    }
    if (!records.isEmpty()) {
      learner.flush();
      changedSinceCheckpoint = true;
      noteDirty();
    }
  }

  /** The dead-letter reason of a decoded example that cannot be learned, or null when it can. */
  static DeadLetterReason validate(TrainingExample ex) {
    if (ex.getUserId().isBlank()) {
      return DeadLetterReason.INVALID_USER_ID;
    }
    if (ex.getItemId().isBlank()) {
      return DeadLetterReason.INVALID_ITEM_ID;
    }
    return null;
  }

  private DeadLetterAck deadLetter(ConsumerRecord<byte[], byte[]> r, DeadLetterReason reason, Exception e) {
    metrics.deadLetter(reason);
    log.warn("Dead-lettering {}-{}@{} ({}): {}", r.topic(), r.partition(), r.offset(), reason.tag(), e.toString());
    ProducerRecord<byte[], byte[]> dl = new ProducerRecord<>(dlqTopic.name(), null, r.key(), r.value());
    DeadLetterHeaders.add(dl.headers(), reason, STAGE, r.topic(), r.partition(), r.offset(), e);
    DeadLetterAck ack = new DeadLetterAck();
    producer.send(dl, (md, err) -> {
      if (err != null) {
        ack.error = err;
        log.error("Dead letter for {}-{}@{} not written", r.topic(), r.partition(), r.offset(), err);
      } else {
        ack.done = true;
      }
    });
    return ack;
  }

  private void afterPoll(boolean gotRecords) {
    updateLag();
    if (gotRecords) {
      idleDone = 0;
    } else if (lag == 0 && idleDone < cfg.idleSteps()) {
      int n = Math.min(cfg.idleStepsPerPoll(), cfg.idleSteps() - idleDone);
      int ran = learner.trainIdle(n);
      idleDone = ran == 0 ? cfg.idleSteps() : idleDone + ran;
      if (ran > 0) {
        changedSinceCheckpoint = true;
        noteDirty();
      }
    }
    maybePublish(false);
    maybeCheckpoint(false);
    commitApplied();
    userRows = learner.userCount();
    itemRows = learner.itemCount();
    idle = !gotRecords && lag == 0 && idleDone >= cfg.idleSteps() && learner.dirtyCount() == 0
        && learner.pending() == 0;
  }

  private void noteDirty() {
    if (firstDirtyNanos < 0 && learner.dirtyCount() > 0) {
      firstDirtyNanos = System.nanoTime();
    }
  }

  private void updateLag() {
    long total = 0;
    boolean known = true;
    for (TopicPartition tp : partitions) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isPresent()) {
        total += l.getAsLong();
      } else {
        known = false;
      }
    }
    if (!known) {
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(5));
      total = 0;
      for (TopicPartition tp : partitions) {
        total += Math.max(0, ends.getOrDefault(tp, 0L) - consumer.position(tp));
      }
    }
    lag = total + buffered();
  }

  /** Re-reads the retained input {@code trainer.bootstrap.epochs} times, then returns to the online position. */
  private void bootstrap() {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    log.info("Bootstrap: {} epoch(s) over {} retained records", cfg.bootstrapEpochs(), total);
    for (int epoch = 1; epoch <= cfg.bootstrapEpochs() && running; epoch++) {
      if (epoch > 1) {
        consumer.seekToBeginning(partitions);
      }
      boolean first = epoch == 1;
      while (running && !reached(ends, first)) {
        ConsumerRecords<byte[], byte[]> recs = poll();
        if (first) {
          learnInTimeOrder(recs);
        } else {
          relearn(belowEnds(recs, ends));
        }
        maybePublish(false);
        if (first) {
          maybeCheckpoint(false);
          commitApplied();
        }
        updateLagQuietly();
      }
      log.info("Bootstrap epoch {} done ({} steps so far)", epoch, learner.steps());
    }
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, applied.getOrDefault(tp, 0L));
    }
  }

  private void updateLagQuietly() {
    userRows = learner.userCount();
    itemRows = learner.itemCount();
  }

  private boolean reached(Map<TopicPartition, Long> ends, boolean first) {
    for (TopicPartition tp : partitions) {
      long pos = first ? applied.getOrDefault(tp, 0L) : consumer.position(tp);
      if (pos < ends.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  private static ConsumerRecords<byte[], byte[]> belowEnds(ConsumerRecords<byte[], byte[]> recs,
                                                           Map<TopicPartition, Long> ends) {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> kept = new HashMap<>();
    for (TopicPartition tp : recs.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : recs.records(tp)) {
        if (r.offset() < ends.getOrDefault(tp, 0L)) {
          list.add(r);
        }
      }
      kept.put(tp, list);
    }
    return new ConsumerRecords<>(kept, Map.of());
  }

  // ---- publishing and checkpoints ---------------------------------------------------------------------------

  private void maybePublish(boolean force) {
    long now = System.nanoTime();
    if (learner.dirtyCount() == 0) {
      return;
    }
    if (!force && now - lastPublishNanos < cfg.publishInterval().toNanos()) {
      return;
    }
    long version = modelVersion + 1;
    Instant at = Instant.now();
    int[] users = learner.drainDirtyUsers();
    int[] items = learner.drainDirtyItems();
    send(userTopic, learner.userTable(), users, true, version, at);
    send(itemTopic, learner.itemTable(), items, false, version, at);
    producer.flush();
    modelVersion = version;
    lastPublishNanos = now;
    Duration publishLag = Duration.ofNanos(firstDirtyNanos < 0 ? 0 : now - firstDirtyNanos);
    firstDirtyNanos = -1;
    metrics.published(users.length, items.length, publishLag);
    log.debug("Published model version {}: {} users, {} items", version, users.length, items.length);
  }

  private void send(TopicSpec<String, EmbeddingUpdate> topic, EmbeddingTable table, int[] rows, boolean users,
                    long version, Instant at) {
    for (int row : rows) {
      String id = users ? learner.userId(row) : learner.itemId(row);
      float[] v = table.vector(row);
      List<Float> vec = new ArrayList<>(v.length);
      for (float x : v) {
        vec.add(x);
      }
      long et = table.eventTime(row);
      EmbeddingUpdate u = EmbeddingUpdate.newBuilder()
          .setId(id)
          .setVector(vec)
          .setBias(users ? 0f : table.bias(row))
          .setModelVersion(version)
          .setUpdatedAt(at)
          .setEventTime(et == Long.MIN_VALUE ? at : Instant.ofEpochMilli(et))
          .build();
      producer.send(new ProducerRecord<>(topic.name(), id.getBytes(StandardCharsets.UTF_8), embeddingSerde.encode(u)));
    }
  }

  private void maybeCheckpoint(boolean force) {
    long now = System.nanoTime();
    if (!changedSinceCheckpoint && !force) {
      return;
    }
    if (!force && now - lastCheckpointNanos < cfg.checkpointInterval().toNanos()) {
      return;
    }
    checkpointNow();
  }

  private void checkpointNow() {
    long t0 = System.nanoTime();
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      Long off = applied.get(tp);
      if (off != null) {
        offsets.put(key(tp), off);
      }
    }
    var path = checkpoints.write(modelVersion, examplesTrained, bootstrapDone, offsets, learner.state());
    lastCheckpointNanos = System.nanoTime();
    changedSinceCheckpoint = false;
    metrics.checkpoint(lastCheckpointNanos - t0);
    log.info("Checkpoint {} (model version {}, {} examples) in {} ms", path.getFileName(), modelVersion,
        examplesTrained, TimeUnit.NANOSECONDS.toMillis(lastCheckpointNanos - t0));
  }

  private void commitApplied() {
    if (applied.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    applied.forEach((tp, off) -> commit.put(tp, new OffsetAndMetadata(off)));
    consumer.commitAsync(commit, (offs, e) -> {
      if (e != null) {
        log.debug("Offset commit failed (the checkpoint holds the offsets): {}", e.toString());
      }
    });
  }

  private void shutdown() {
    try {
      if (learner != null && !abort && failure == null) {
        learner.flush();
        maybePublish(true);
        checkpointNow();
        if (consumer != null && !applied.isEmpty()) {
          Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
          applied.forEach((tp, off) -> commit.put(tp, new OffsetAndMetadata(off)));
          try {
            consumer.commitSync(commit, Duration.ofSeconds(5));
          } catch (WakeupException pendingWakeup) {
            // close() woke the consumer while the loop was outside poll(); the wakeup is spent now, so retry once.
            consumer.commitSync(commit, Duration.ofSeconds(5));
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("Final publish/checkpoint failed", e);
    } finally {
      closeQuietly(consumer);
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      if (learner != null) {
        learner.close();
      }
      idle = false;
      log.info("Trainer stopped{} at model version {}", abort ? " (aborted)" : "", modelVersion);
    }
  }

  /** Highest model version on the embedding topics (the last record of each partition), or 0. */
  private long lastPublishedVersion() {
    long max = 0;
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (String topic : List.of(userTopic.name(), itemTopic.name())) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos != null) {
          infos.forEach(pi -> tps.add(new TopicPartition(pi.topic(), pi.partition())));
        }
      }
      if (tps.isEmpty()) {
        return 0;
      }
      c.assign(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps, Duration.ofSeconds(10));
      int waiting = 0;
      for (TopicPartition tp : tps) {
        long end = ends.getOrDefault(tp, 0L);
        if (end > 0) {
          c.seek(tp, end - 1);
          waiting++;
        } else {
          c.pause(List.of(tp));
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      java.util.Set<TopicPartition> done = new java.util.HashSet<>();
      while (done.size() < waiting && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          done.add(new TopicPartition(r.topic(), r.partition()));
          try {
            max = Math.max(max, embeddingSerde.decode(r.value()).getModelVersion());
          } catch (SerializationException e) {
            log.warn("Undecodable embedding at {}-{}@{}", r.topic(), r.partition(), r.offset());
          }
        }
        for (TopicPartition tp : tps) {
          if (!done.contains(tp) && c.position(tp) >= ends.getOrDefault(tp, 0L)) {
            done.add(tp);
          }
        }
      }
    }
    return max;
  }

  private Properties consumerProps() {
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, cfg.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the examples topic is written in ingest's transactions: never learn records of aborted ones
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  private Properties producerProps() {
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers());
    p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  private static String key(TopicPartition tp) {
    return tp.topic() + ":" + tp.partition();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
