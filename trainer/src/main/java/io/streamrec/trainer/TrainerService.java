package io.streamrec.trainer;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.Topics;
import io.streamrec.trainer.core.OnlineLearner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online trainer: consumes {@link Topics#TRAINING_EXAMPLES} (read with {@code
 * isolation.level=read_committed}, so records of aborted ingest transactions are never learned),
 * learns with an {@link OnlineLearner}, publishes the rows it changed to {@link
 * Topics#USER_EMBEDDINGS} / {@link Topics#ITEM_EMBEDDINGS} at most every {@code
 * trainer.publish.interval.ms}, and checkpoints atomically. Records that cannot be learned go to
 * {@link Topics#DLQ_TRAINER} with a {@link io.streamrec.schemas.DeadLetterReason}; their offsets
 * count as done only once the broker acknowledged the dead letter.
 *
 * <p>This class owns the thread and the life cycle; one background thread runs the {@link
 * TrainerLoop} (set up by {@link TorchSetup}, fed by {@link ExampleSource}, publishing through
 * {@link EmbeddingPublisher}). Failures follow {@link FailurePolicy}: retriable ones (Kafka's
 * {@code RetriableException}, I/O) are retried with back-off after a rewind to the applied offsets,
 * fatal ones stop the loop ({@link #failure()}; {@code TrainerMain} exits 1).
 *
 * <p>Delivery guarantee: at-least-once. The checkpoint (model + optimizer + id index + offsets,
 * written atomically) is the source of truth; a restart restores the newest checkpoint and seeks to
 * its offsets, so the examples consumed after that checkpoint are trained again: nothing is lost,
 * and each example is applied exactly once to the restored model's lineage (its earlier application
 * died with the crashed process, though rows published from it were already visible downstream).
 * Committed consumer-group offsets are for monitoring. Model versions are strictly increasing
 * across restarts: a restart continues above both the checkpointed version and the newest version
 * found on the embedding topics.
 */
public final class TrainerService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainerService.class);

  /** Creates the Kafka clients of one run (tests pass mock clients). */
  interface Clients {
    /** The consumer of the examples topic. */
    Consumer<byte[], byte[]> exampleConsumer();

    /** A short-lived reader of the embedding topics (closed after use). */
    Consumer<byte[], byte[]> versionReader();

    /** The producer of embeddings and dead letters. */
    Producer<byte[], byte[]> producer();
  }

  private final TrainerConfig cfg;
  private final Clients clients;
  private final TrainerMetrics metrics;
  private final MeterRegistry registry;
  private final TrainerStatus status = new TrainerStatus();
  private final String input;
  private final String userTopic;
  private final String itemTopic;
  private final String dlqTopic;
  private final Checkpoints checkpoints;
  private final Thread thread;

  private volatile boolean running;
  private volatile boolean abort;
  private volatile Throwable failure;
  private volatile ExampleSource source;

  public TrainerService(TrainerConfig cfg, MeterRegistry registry) {
    this(cfg, registry, kafkaClients(cfg));
  }

  TrainerService(TrainerConfig cfg, MeterRegistry registry, Clients clients) {
    this.cfg = cfg;
    this.clients = clients;
    this.registry = registry;
    String sfx = cfg.topicsSuffix();
    this.input = Topics.TRAINING_EXAMPLES.withSuffix(sfx).name();
    this.userTopic = Topics.USER_EMBEDDINGS.withSuffix(sfx).name();
    this.itemTopic = Topics.ITEM_EMBEDDINGS.withSuffix(sfx).name();
    this.dlqTopic = Topics.DLQ_TRAINER.withSuffix(sfx).name();
    this.checkpoints = new Checkpoints(cfg.checkpointDir(), cfg.checkpointKeep());
    this.metrics =
        new TrainerMetrics(
            registry,
            () -> status.modelVersion,
            () -> status.userRows,
            () -> status.itemRows,
            () -> Math.max(0, status.lag));
    this.thread = new Thread(this::run, "streamrec-trainer");
    this.thread.setDaemon(false);
    this.thread.setPriority(cfg.threadPriority());
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
    return status.modelVersion;
  }

  /** Distinct input examples applied to the model (restored from the checkpoint on restart). */
  public long examplesTrained() {
    return status.examplesTrained;
  }

  /**
   * Records between the applied position and the end of the input ({@code -1} before the first
   * poll).
   */
  public long lag() {
    return status.lag;
  }

  /** Caught up with the input, idle budget spent, every change published. */
  public boolean idle() {
    return status.idle;
  }

  /** The error that stopped the loop, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  public boolean isRunning() {
    return thread.isAlive();
  }

  /**
   * Stops after a final flush, publish and checkpoint; waits at most {@code
   * trainer.close.timeout.ms}.
   */
  @Override
  public void close() {
    stop(false);
  }

  /**
   * Stops like a crash would: no final publish of pending rows, no final checkpoint, no offset
   * commit. What the trainer learned since its last checkpoint is lost and will be re-learned from
   * Kafka on the next start.
   */
  public void abort() {
    stop(true);
  }

  private void stop(boolean crash) {
    abort = crash;
    running = false;
    ExampleSource s = source;
    if (s != null) {
      s.wakeup();
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

  // ---- the thread
  // -------------------------------------------------------------------------------------------

  private void run() {
    OnlineLearner learner = null;
    Producer<byte[], byte[]> producer = null;
    TrainerLoop loop = null;
    try {
      checkpoints.ensureWritable();
      Device device = TorchSetup.configure(cfg);
      learner = new OnlineLearner(cfg.learner(), device);
      learner.setListener(metrics);
      source = new ExampleSource(clients.exampleConsumer(), input);
      producer = clients.producer();
      EmbeddingPublisher publisher =
          new EmbeddingPublisher(producer, userTopic, itemTopic, metrics, cfg.publishInterval());
      loop =
          new TrainerLoop(
              cfg,
              learner,
              source,
              new DeadLetterWriter(producer, dlqTopic, metrics, registry),
              publisher,
              checkpoints,
              metrics,
              status);
      FailurePolicy policy = new FailurePolicy(cfg.retryTimeout());
      Map<String, Long> restored = loop.restore();
      TrainerLoop started = loop;
      retrying(
          policy,
          () -> {
            started.versionsAbove(publishedVersion());
            started.assign(restored, () -> running);
          });
      log.info(
          "Trainer started: input {}, device {}, {} torch thread(s), model version {}, settings {}",
          input,
          learner.device(),
          cfg.torchThreads(),
          status.modelVersion,
          cfg.learner());
      if (!loop.bootstrapDone() && cfg.bootstrapEpochs() > 0) {
        loop.bootstrap(() -> running);
      } else {
        loop.skipBootstrap();
      }
      while (running) {
        try {
          loop.step();
          policy.onSuccess();
        } catch (WakeupException | InterruptException e) {
          throw e;
        } catch (RuntimeException e) {
          pause(policy.onFailure(e));
          loop.recover();
        }
      }
    } catch (WakeupException e) {
      // close() or abort() woke the consumer up.
    } catch (RuntimeException | Error e) {
      failure = e;
      log.error("Trainer loop failed", e);
    } finally {
      shutdown(loop, producer, learner);
    }
  }

  /** Runs {@code step} until it succeeds, the policy gives up (rethrows) or the trainer stops. */
  private void retrying(FailurePolicy policy, Runnable step) {
    while (running) {
      try {
        step.run();
        policy.onSuccess();
        return;
      } catch (WakeupException | InterruptException e) {
        throw e;
      } catch (RuntimeException e) {
        pause(policy.onFailure(e));
      }
    }
  }

  private long publishedVersion() {
    try (Consumer<byte[], byte[]> c = clients.versionReader()) {
      return PublishedVersions.newest(c, List.of(userTopic, itemTopic), Duration.ofSeconds(10));
    }
  }

  /** Sleeps {@code d} in short slices, returning early when the trainer stops. */
  private void pause(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    while (running && System.nanoTime() < until) {
      try {
        Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void shutdown(
      TrainerLoop loop, Producer<byte[], byte[]> producer, OnlineLearner learner) {
    try {
      if (loop != null && loop.assigned() && !abort && failure == null) {
        loop.finish();
      }
    } catch (RuntimeException e) {
      log.error("Final publish/checkpoint failed", e);
    } finally {
      ExampleSource s = source;
      if (s != null) {
        s.close();
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      if (learner != null) {
        learner.close();
      }
      status.idle = false;
      log.info(
          "Trainer stopped{} at model version {}", abort ? " (aborted)" : "", status.modelVersion);
    }
  }

  // ---- clients
  // ----------------------------------------------------------------------------------------------

  private static Clients kafkaClients(TrainerConfig cfg) {
    return new Clients() {
      @Override
      public Consumer<byte[], byte[]> exampleConsumer() {
        return new KafkaConsumer<>(ExampleSource.consumerProps(cfg));
      }

      @Override
      public Consumer<byte[], byte[]> versionReader() {
        return new KafkaConsumer<>(PublishedVersions.readerProps(cfg));
      }

      @Override
      public Producer<byte[], byte[]> producer() {
        return new KafkaProducer<>(producerProps(cfg));
      }
    };
  }

  private static Properties producerProps(TrainerConfig cfg) {
    // acks=all and idempotence unless a kafka.* key says otherwise
    Properties p = ClientProperties.producer(cfg.bootstrapServers());
    p.putAll(cfg.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers());
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }
}
