package io.streamrec.streams.ingest;

import io.streamrec.config.ConfigSource;
import io.streamrec.config.InstanceId;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.errors.DeadLetterProductionExceptionHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Typed configuration of the ingest topology and its service. Loaded with {@link ConfigSource} from
 * (lowest to highest precedence) the classpath defaults {@value #DEFAULTS_RESOURCE}, an optional
 * {@code --config} file, {@code STREAMREC_*} environment variables, and command-line flags.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>{@code kafka.bootstrap.servers}</td><td>brokers (required; default {@code 127.0.0.1:9092})</td></tr>
 *   <tr><td>{@code ingest.application.id}</td><td>Kafka Streams {@code application.id} (default {@code streamrec-ingest})</td></tr>
 *   <tr><td>{@code ingest.state.dir}</td><td>directory of the RocksDB stores</td></tr>
 *   <tr><td>{@code ingest.min.user.interactions}</td><td>events a user needs before any is emitted; 1 disables holding</td></tr>
 *   <tr><td>{@code ingest.rating.min}, {@code ingest.rating.max}</td><td>inclusive valid rating range (default [0.5, 5.0])</td></tr>
 *   <tr><td>{@code ingest.id.max.length}</td><td>longest valid user or item id, UTF-8 bytes (default 256)</td></tr>
 *   <tr><td>{@code ingest.timestamp.max.future}</td><td>how far an event time may lie ahead of the wall clock (default P1D)</td></tr>
 *   <tr><td>{@code ingest.close.timeout}</td><td>bound on {@link IngestService#close()} (ms or ISO-8601, default PT30S)</td></tr>
 *   <tr><td>{@code topics.suffix}</td><td>appended to every topic name (default empty)</td></tr>
 *   <tr><td>{@code metrics.port}</td><td>HTTP port of {@code /metrics} and health (default 9401; 0 = any free port)</td></tr>
 *   <tr><td>{@code kafka.*}</td><td>passed to Kafka Streams with the prefix removed</td></tr>
 *   <tr><td>{@code kafka.group.instance.id}</td><td>static membership id (default derived, see {@link InstanceId};
 *       empty = dynamic membership)</td></tr>
 * </table>
 *
 * @param bootstrapServers {@code kafka.bootstrap.servers}
 * @param applicationId {@code ingest.application.id}
 * @param stateDir {@code ingest.state.dir}
 * @param minUserInteractions {@code ingest.min.user.interactions}, at least 1
 * @param ratingMin {@code ingest.rating.min}, finite
 * @param ratingMax {@code ingest.rating.max}, finite and {@code >= ratingMin}
 * @param idMaxLength {@code ingest.id.max.length}, UTF-8 bytes, at least 1
 * @param timestampMaxFuture {@code ingest.timestamp.max.future}, positive
 * @param closeTimeout {@code ingest.close.timeout}, positive
 * @param topicsSuffix {@code topics.suffix}, may be empty
 * @param kafka every {@code kafka.*} key without its prefix (includes {@code bootstrap.servers})
 */
public record IngestConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    int minUserInteractions,
    float ratingMin,
    float ratingMax,
    int idMaxLength,
    Duration timestampMaxFuture,
    Duration closeTimeout,
    String topicsSuffix,
    Map<String, String> kafka) {

  /** Classpath resource holding the defaults. */
  public static final String DEFAULTS_RESOURCE = "streamrec-ingest.properties";

  public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
  public static final String APPLICATION_ID = "ingest.application.id";
  public static final String STATE_DIR = "ingest.state.dir";
  public static final String MIN_USER_INTERACTIONS = "ingest.min.user.interactions";
  public static final String RATING_MIN = "ingest.rating.min";
  public static final String RATING_MAX = "ingest.rating.max";
  public static final String ID_MAX_LENGTH = "ingest.id.max.length";
  public static final String TIMESTAMP_MAX_FUTURE = "ingest.timestamp.max.future";
  public static final String CLOSE_TIMEOUT = "ingest.close.timeout";
  public static final String TOPICS_SUFFIX = "topics.suffix";

  public static final String KAFKA_PREFIX = "kafka.";

  public IngestConfig {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        BOOTSTRAP_SERVERS + " must be set");
    require(applicationId != null && !applicationId.isBlank(), APPLICATION_ID + " must be set");
    Objects.requireNonNull(stateDir, STATE_DIR);
    require(
        minUserInteractions >= 1,
        MIN_USER_INTERACTIONS + " must be >= 1 (1 disables holding), was " + minUserInteractions);
    require(Float.isFinite(ratingMin), RATING_MIN + " must be finite, was " + ratingMin);
    require(Float.isFinite(ratingMax), RATING_MAX + " must be finite, was " + ratingMax);
    require(
        ratingMin <= ratingMax,
        RATING_MIN + " (" + ratingMin + ") must be <= " + RATING_MAX + " (" + ratingMax + ")");
    require(idMaxLength >= 1, ID_MAX_LENGTH + " must be >= 1, was " + idMaxLength);
    require(
        timestampMaxFuture != null
            && !timestampMaxFuture.isNegative()
            && !timestampMaxFuture.isZero(),
        TIMESTAMP_MAX_FUTURE + " must be a positive duration, was " + timestampMaxFuture);
    require(
        closeTimeout != null && !closeTimeout.isNegative() && !closeTimeout.isZero(),
        CLOSE_TIMEOUT + " must be a positive duration, was " + closeTimeout);
    topicsSuffix = topicsSuffix == null ? "" : topicsSuffix;
    kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
    require(
        !kafka.containsKey(StreamsConfig.APPLICATION_ID_CONFIG),
        "kafka.application.id is not allowed; set " + APPLICATION_ID);
    require(
        !kafka.containsKey(StreamsConfig.STATE_DIR_CONFIG),
        "kafka.state.dir is not allowed; set " + STATE_DIR);
    String passedBootstrap = kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    require(
        passedBootstrap == null || passedBootstrap.equals(bootstrapServers),
        BOOTSTRAP_SERVERS + " and the kafka map disagree");
  }

  /**
   * Defaults, then {@code file} (may be null), the process environment, then {@code overrides}
   * (flags).
   */
  public static IngestConfig load(Path file, Map<String, String> overrides) {
    return from(ConfigSource.load(DEFAULTS_RESOURCE, file, overrides));
  }

  /** As {@link #load(Path, Map)} with an explicit environment (tests). */
  public static IngestConfig load(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    return from(ConfigSource.load(DEFAULTS_RESOURCE, file, env, overrides));
  }

  /** Reads every key from {@code src}; all keys without a default must be present there. */
  public static IngestConfig from(ConfigSource src) {
    return new IngestConfig(
        src.string(BOOTSTRAP_SERVERS),
        src.string(APPLICATION_ID),
        Path.of(src.string(STATE_DIR)),
        src.integer(MIN_USER_INTERACTIONS),
        (float) src.decimal(RATING_MIN),
        (float) src.decimal(RATING_MAX),
        src.integer(ID_MAX_LENGTH),
        src.duration(TIMESTAMP_MAX_FUTURE),
        src.duration(CLOSE_TIMEOUT),
        src.string(TOPICS_SUFFIX, ""),
        src.withPrefix(KAFKA_PREFIX));
  }

  /** This config with another minimum user interaction count (tests, benchmarks). */
  public IngestConfig withMinUserInteractions(int min) {
    return new IngestConfig(
        bootstrapServers,
        applicationId,
        stateDir,
        min,
        ratingMin,
        ratingMax,
        idMaxLength,
        timestampMaxFuture,
        closeTimeout,
        topicsSuffix,
        kafka);
  }

  /** This config with another state directory (tests, benchmarks). */
  public IngestConfig withStateDir(Path dir) {
    return new IngestConfig(
        bootstrapServers,
        applicationId,
        dir,
        minUserInteractions,
        ratingMin,
        ratingMax,
        idMaxLength,
        timestampMaxFuture,
        closeTimeout,
        topicsSuffix,
        kafka);
  }

  /**
   * The Kafka Streams properties; the only place they are built. Precedence: StreamRec's defaults
   * ({@code exactly_once_v2}, explicit internal resource naming, {@code max.task.idle.ms=-1},
   * {@link DeadLetterProductionExceptionHandler} writing to the ingest dead-letter topic), then
   * every {@code kafka.*} key, then the typed keys ({@code application.id}, {@code state.dir},
   * {@code bootstrap.servers}). Static group membership is on: {@code group.instance.id} is {@code
   * kafka.group.instance.id} when set, derived from the host and the state directory otherwise
   * ({@link InstanceId}), and off when {@code kafka.group.instance.id} is set to empty.
   */
  public Properties toStreamsProperties() {
    Properties p =
        ClientProperties.exactlyOnceStreams(
            applicationId, bootstrapServers, stateDir.toAbsolutePath());
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    // A task reads ratings-N and ratings-by-user-repartition-N, and the latter is nearly always
    // empty. With any
    // other value, Kafka Streams 4.3 formats a log line (String.format) for the empty partition
    // before every
    // record it processes: about 15% of the stream thread in JFR. -1 also drops the best-effort
    // time alignment
    // of the two inputs, which ingest does not rely on (see docs/ingest.md, Partitioning).
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    DeadLetterProductionExceptionHandler.install(
        p, Topics.DLQ_INGEST.withSuffix(topicsSuffix).name(), "ingest");
    p.putAll(kafka);
    // kafka.* tunes the clients but does not move the application: id, state and cluster as set
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return InstanceId.applyTo(p, applicationId, stateDir);
  }

  /** The effective settings for the startup log line, secrets masked. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    out.put(APPLICATION_ID, applicationId);
    out.put(STATE_DIR, stateDir.toString());
    out.put(MIN_USER_INTERACTIONS, Integer.toString(minUserInteractions));
    out.put(RATING_MIN, Float.toString(ratingMin));
    out.put(RATING_MAX, Float.toString(ratingMax));
    out.put(ID_MAX_LENGTH, Integer.toString(idMaxLength));
    out.put(TIMESTAMP_MAX_FUTURE, timestampMaxFuture.toString());
    out.put(CLOSE_TIMEOUT, closeTimeout.toString());
    out.put(TOPICS_SUFFIX, topicsSuffix);
    Map<String, String> prefixed = new TreeMap<>();
    kafka.forEach((k, v) -> prefixed.put(KAFKA_PREFIX + k, v));
    out.putAll(ConfigSource.of(prefixed).masked());
    return out;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
