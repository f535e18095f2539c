package io.streamrec.trainer;

import io.streamrec.config.ConfigSource;
import io.streamrec.trainer.core.LearnerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Typed, validated trainer configuration. Loaded from {@code streamrec-trainer.properties}
 * (classpath defaults) layered under a config file, {@code STREAMREC_*} environment variables and
 * flags by {@link ConfigSource}. Validation errors name the offending key.
 *
 * @param bootstrapServers {@code kafka.bootstrap.servers}
 * @param topicsSuffix {@code topics.suffix}, appended to every topic name
 * @param metricsPort {@code metrics.port} (0 = any free port)
 * @param groupId {@code trainer.group.id}: consumer group the applied offsets are committed under
 * @param device {@code trainer.device}: {@code cpu} or {@code gpu} (CUDA when present, else CPU +
 *     WARN)
 * @param torchThreads {@code trainer.torch.threads}: PyTorch intra-op threads
 * @param threadPriority {@code trainer.thread.priority}: Java priority of the training thread (1 =
 *     {@link Thread#MIN_PRIORITY} .. 10); an OS priority only where the JVM maps Java priorities to
 *     nice values ({@code -XX:ThreadPriorityPolicy=1} on Linux, set by the launchers), see
 *     docs/trainer.md
 * @param learner model, sampler, loss, replay and optimizer settings ({@code trainer.*})
 * @param idleSteps {@code trainer.idle.steps}: replay-only steps once caught up, per quiet period
 * @param idleStepsPerPoll {@code trainer.idle.steps.per.poll}: idle steps between two polls
 * @param pollTimeout {@code trainer.poll.timeout.ms}
 * @param publishInterval {@code trainer.publish.interval.ms}: bound on the time between publishes
 *     of changed rows
 * @param bootstrapEpochs {@code trainer.bootstrap.epochs}: passes over the retained input before
 *     going online (fresh start only; 0 = plain online learning)
 * @param checkpointDir {@code trainer.checkpoint.dir}
 * @param checkpointInterval {@code trainer.checkpoint.interval.ms}
 * @param checkpointKeep {@code trainer.checkpoint.keep}: checkpoints kept on disk (newest first)
 * @param closeTimeout {@code trainer.close.timeout.ms}: bound on {@code close()}
 * @param retryTimeout {@code trainer.retry.timeout.ms}: how long retriable failures (broker
 *     unreachable, I/O) are retried without a successful loop iteration before the trainer stops
 *     (exit 1)
 * @param freezeAtEventTime {@code trainer.freeze.at.event.time.ms}: from the first example with an
 *     event time at or after this (epoch ms) the model stops updating: no example is applied, no
 *     idle step runs (the prequential demo's frozen arm); unset or empty = never ({@code
 *     Long.MAX_VALUE})
 * @param catchUpLag {@code trainer.catchup.lag}: while the input lag is at least this many
 *     examples, each step takes a whole batch of new examples (no replay) instead of {@code
 *     trainer.batch.new}; 0 = never
 * @param kafka every {@code kafka.*} key with the prefix removed, passed to the clients verbatim
 */
public record TrainerConfig(
    String bootstrapServers,
    String topicsSuffix,
    int metricsPort,
    String groupId,
    String device,
    int torchThreads,
    int threadPriority,
    LearnerSettings learner,
    int idleSteps,
    int idleStepsPerPoll,
    Duration pollTimeout,
    Duration publishInterval,
    int bootstrapEpochs,
    Path checkpointDir,
    Duration checkpointInterval,
    int checkpointKeep,
    Duration closeTimeout,
    Duration retryTimeout,
    long freezeAtEventTime,
    long catchUpLag,
    Map<String, String> kafka) {

  /** The classpath resource holding the defaults. */
  public static final String DEFAULTS = LearnerSettings.DEFAULTS_RESOURCE;

  public TrainerConfig {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        "kafka.bootstrap.servers must be set");
    require(
        metricsPort >= 0 && metricsPort <= 65535,
        "metrics.port must be in [0, 65535], was " + metricsPort);
    require(
        device.equals("cpu") || device.equals("gpu"),
        "trainer.device must be cpu or gpu, was " + device);
    require(torchThreads >= 1, "trainer.torch.threads must be >= 1, was " + torchThreads);
    require(
        threadPriority >= Thread.MIN_PRIORITY && threadPriority <= Thread.MAX_PRIORITY,
        "trainer.thread.priority must be in [1, 10], was " + threadPriority);
    require(idleSteps >= 0, "trainer.idle.steps must be >= 0, was " + idleSteps);
    require(
        idleStepsPerPoll >= 1, "trainer.idle.steps.per.poll must be >= 1, was " + idleStepsPerPoll);
    require(positive(pollTimeout), "trainer.poll.timeout.ms must be > 0");
    require(positive(publishInterval), "trainer.publish.interval.ms must be > 0");
    require(bootstrapEpochs >= 0, "trainer.bootstrap.epochs must be >= 0, was " + bootstrapEpochs);
    require(positive(checkpointInterval), "trainer.checkpoint.interval.ms must be > 0");
    require(checkpointKeep >= 1, "trainer.checkpoint.keep must be >= 1, was " + checkpointKeep);
    require(positive(closeTimeout), "trainer.close.timeout.ms must be > 0");
    require(positive(retryTimeout), "trainer.retry.timeout.ms must be > 0");
    require(catchUpLag >= 0, "trainer.catchup.lag must be >= 0, was " + catchUpLag);
    kafka = Map.copyOf(kafka);
  }

  /** Reads and validates every trainer key. */
  public static TrainerConfig load(ConfigSource src) {
    LearnerSettings learner;
    try {
      learner = LearnerSettings.from(src);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid trainer configuration: " + e.getMessage(), e);
    }
    return new TrainerConfig(
        src.string("kafka.bootstrap.servers"),
        src.string("topics.suffix", ""),
        src.integer("metrics.port"),
        src.string("trainer.group.id"),
        src.string("trainer.device").toLowerCase(Locale.ROOT),
        src.integer("trainer.torch.threads"),
        src.integer("trainer.thread.priority"),
        learner,
        src.integer("trainer.idle.steps"),
        src.integer("trainer.idle.steps.per.poll"),
        src.duration("trainer.poll.timeout.ms"),
        src.duration("trainer.publish.interval.ms"),
        src.integer("trainer.bootstrap.epochs"),
        Path.of(src.string("trainer.checkpoint.dir")),
        src.duration("trainer.checkpoint.interval.ms"),
        src.integer("trainer.checkpoint.keep"),
        src.duration("trainer.close.timeout.ms"),
        src.duration("trainer.retry.timeout.ms"),
        freezeAt(src),
        src.longValue("trainer.catchup.lag"),
        src.withPrefix("kafka."));
  }

  private static long freezeAt(ConfigSource src) {
    String v = src.string("trainer.freeze.at.event.time.ms", "").trim();
    if (v.isEmpty()) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "trainer.freeze.at.event.time.ms must be epoch milliseconds, was '" + v + "'");
    }
  }

  /**
   * Defaults from the classpath, then {@code file} (may be null), the environment, then {@code
   * overrides}.
   */
  public static TrainerConfig load(Path file, Map<String, String> overrides) {
    return load(ConfigSource.load(DEFAULTS, file, overrides));
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
