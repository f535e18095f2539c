package io.streamrec.streams.serving;

import io.streamrec.config.ConfigSource;
import io.streamrec.config.InstanceId;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.errors.DeadLetterProductionExceptionHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the serving topology and service. Keys (defaults in {@code
 * streamrec-serving.properties}):
 *
 * <ul>
 *   <li>{@code kafka.bootstrap.servers}; every other {@code kafka.*} key is passed to Kafka Streams
 *       unchanged (e.g. {@code kafka.commit.interval.ms}, {@code kafka.num.standby.replicas}).
 *   <li>{@code serving.application.id} (streamrec-serving), {@code serving.state.dir}, {@code
 *       serving.num.stream.threads} (1).
 *   <li>{@code serving.http.host}, {@code serving.http.port} (8082; 0 picks a free port), {@code
 *       serving.http.advertised.host} (empty = the http host): the HTTP route and the Kafka Streams
 *       {@code application.server} other instances proxy to.
 *   <li>{@code serving.k} (10, default list length), {@code serving.max.k} (1000).
 *   <li>{@code serving.debounce.ms} (250): the emit period; every event of a user within one period
 *       is reflected in one list (INTERACTION or EMBEDDING_UPDATE) emitted at its end, when serving
 *       is behind.
 *   <li>{@code serving.immediate.max.age.ms} (500): an interaction produced at most this long
 *       before serving processes it gets its user's list at once, without waiting for the period;
 *       older ones (a backlog) and user-embedding updates are coalesced per period. 0 = always
 *       coalesce.
 *   <li>{@code serving.immediate.max.per.second} (1000): at most this many lists emitted at once
 *       per stream task and second (a token bucket, bursts of a tenth); over it, records are
 *       coalesced per period.
 *   <li>{@code serving.user.cache.entries} (100000): decoded user histories and vectors kept in
 *       memory per task.
 *   <li>{@code serving.embedding.max.norm} (1000): the largest L2 norm of an item or user vector,
 *       and the largest absolute item bias, that serving accepts; larger rows are dead-lettered
 *       ({@code norm-too-large}).
 *   <li>{@code serving.ann.min.items} (200000): live items from which search uses Lucene HNSW;
 *       {@code serving.ann.m} (16), {@code serving.ann.ef.construction} (100), {@code
 *       serving.ann.ef.search} (100).
 *   <li>{@code serving.popularity.half.life} (P7D; ISO-8601 or ms): fallback popularity decay, in
 *       event time.
 *   <li>{@code serving.popularity.weight} (1): kappa, multiplies the model's popularity term at
 *       request time.
 *   <li>{@code topics.suffix} (empty): appended to every topic name.
 *   <li>{@code serving.movielens.dir} (empty): a MovieLens folder whose {@code u.item} gives item
 *       titles to the HTTP answers and the live page at {@code /} (empty: ids only; set but without
 *       {@code u.item}: fails at start).
 * </ul>
 */
public record ServingConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    int numStreamThreads,
    String httpHost,
    int httpPort,
    String advertisedHost,
    int defaultK,
    int maxK,
    Duration debounce,
    Duration immediateMaxAge,
    int immediateMaxPerSecond,
    double embeddingMaxNorm,
    int annMinItems,
    AnnParams ann,
    Duration popularityHalfLife,
    float popularityWeight,
    int userCacheEntries,
    String topicsSuffix,
    Path movieLensDir,
    Map<String, String> kafka) {

  /** Classpath resource with the defaults. */
  public static final String DEFAULTS = "streamrec-serving.properties";

  /**
   * Hard upper bound of {@code serving.max.k}, so one request can never ask for an unbounded heap.
   */
  public static final int MAX_K_LIMIT = 100_000;

  /**
   * The list length served for a request asking for {@code requested} items: {@code serving.k} when
   * {@code requested <= 0}, else {@code min(requested, serving.max.k)}.
   */
  public int clampK(final int requested) {
    return requested <= 0 ? defaultK : Math.min(requested, maxK);
  }

  public ServingConfig {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        "kafka.bootstrap.servers must be set");
    require(
        applicationId != null && !applicationId.isBlank(), "serving.application.id must be set");
    Objects.requireNonNull(stateDir, "serving.state.dir");
    require(
        numStreamThreads >= 1, "serving.num.stream.threads must be >= 1, was " + numStreamThreads);
    require(httpHost != null && !httpHost.isBlank(), "serving.http.host must be set");
    require(
        httpPort >= 0 && httpPort <= 65535,
        "serving.http.port must be in [0, 65535], was " + httpPort);
    advertisedHost = advertisedHost == null || advertisedHost.isBlank() ? httpHost : advertisedHost;
    require(maxK >= 1, "serving.max.k must be >= 1, was " + maxK);
    require(maxK <= MAX_K_LIMIT, "serving.max.k must be <= " + MAX_K_LIMIT + ", was " + maxK);
    require(
        defaultK >= 1 && defaultK <= maxK,
        "serving.k must be in [1, serving.max.k=" + maxK + "], was " + defaultK);
    require(
        debounce != null && !debounce.isNegative() && !debounce.isZero(),
        "serving.debounce.ms must be > 0, was " + debounce);
    require(
        immediateMaxAge != null && !immediateMaxAge.isNegative(),
        "serving.immediate.max.age.ms must be >= 0, was " + immediateMaxAge);
    require(
        immediateMaxPerSecond >= 1,
        "serving.immediate.max.per.second must be >= 1, was " + immediateMaxPerSecond);
    require(
        embeddingMaxNorm > 0 && Double.isFinite(embeddingMaxNorm),
        "serving.embedding.max.norm must be a finite number > 0, was " + embeddingMaxNorm);
    require(annMinItems >= 1, "serving.ann.min.items must be >= 1, was " + annMinItems);
    Objects.requireNonNull(ann, "serving.ann.*");
    require(
        popularityHalfLife != null && popularityHalfLife.toMillis() > 0,
        "serving.popularity.half.life must be > 0, was " + popularityHalfLife);
    require(
        popularityWeight >= 0 && Float.isFinite(popularityWeight),
        "serving.popularity.weight must be a finite number >= 0, was " + popularityWeight);
    require(
        userCacheEntries >= 1, "serving.user.cache.entries must be >= 1, was " + userCacheEntries);
    topicsSuffix = topicsSuffix == null ? "" : topicsSuffix;
    kafka = Map.copyOf(kafka);
  }

  /** Reads every key from {@code src}. */
  public static ServingConfig load(final ConfigSource src) {
    final AnnParams ann;
    try {
      ann =
          new AnnParams(
              src.integer("serving.ann.m"),
              src.integer("serving.ann.ef.construction"),
              src.integer("serving.ann.ef.search"),
              42L);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("serving.ann.m / serving.ann.ef.*: " + e.getMessage(), e);
    }
    return new ServingConfig(
        src.string("kafka.bootstrap.servers"),
        src.string("serving.application.id"),
        Path.of(src.string("serving.state.dir")),
        src.integer("serving.num.stream.threads"),
        src.string("serving.http.host"),
        src.integer("serving.http.port"),
        src.string("serving.http.advertised.host", ""),
        src.integer("serving.k"),
        src.integer("serving.max.k"),
        src.duration("serving.debounce.ms"),
        src.duration("serving.immediate.max.age.ms"),
        src.integer("serving.immediate.max.per.second"),
        src.decimal("serving.embedding.max.norm"),
        src.integer("serving.ann.min.items"),
        ann,
        src.duration("serving.popularity.half.life"),
        (float) src.decimal("serving.popularity.weight"),
        src.integer("serving.user.cache.entries"),
        src.string("topics.suffix", ""),
        optionalPath(src.string("serving.movielens.dir", "")),
        src.withPrefix("kafka."));
  }

  /** Defaults, then {@code file} (nullable), then the environment, then {@code overrides}. */
  public static ServingConfig load(final Path file, final Map<String, String> overrides) {
    return load(ConfigSource.load(DEFAULTS, file, overrides));
  }

  /** Defaults overridden by exactly {@code overrides} (no environment; tests). */
  public static ServingConfig of(final Map<String, String> overrides) {
    return load(ConfigSource.load(DEFAULTS, null, Map.of(), overrides));
  }

  /** {@code spec} with {@code topics.suffix} applied. */
  public <K, V> TopicSpec<K, V> topic(final TopicSpec<K, V> spec) {
    return spec.withSuffix(topicsSuffix);
  }

  /** Kafka Streams properties with {@code application.server} on the configured HTTP port. */
  public Properties toStreamsProperties() {
    return toStreamsProperties(httpPort);
  }

  /**
   * Kafka Streams properties: exactly-once v2, explicit internal names, this instance's {@code
   * application.server = advertisedHost:httpPort}, then every {@code kafka.*} key verbatim, and
   * static group membership: {@code group.instance.id} from {@code kafka.group.instance.id}, else
   * derived from the host and the state directory ({@link InstanceId}); {@code
   * kafka.group.instance.id} set to empty turns it off.
   *
   * @param actualHttpPort the port the HTTP route really listens on (differs from the config when
   *     it is 0)
   */
  public Properties toStreamsProperties(final int actualHttpPort) {
    final Properties p =
        ClientProperties.exactlyOnceStreams(
            applicationId, bootstrapServers, stateDir.toAbsolutePath());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, numStreamThreads);
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost + ":" + actualHttpPort);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    DeadLetterProductionExceptionHandler.install(p, topic(Topics.DLQ_SERVING).name(), "serving");
    p.putAll(kafka);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return InstanceId.applyTo(p, applicationId, stateDir);
  }

  private static Path optionalPath(final String value) {
    return value == null || value.isBlank() ? null : Path.of(value.trim());
  }

  private static void require(final boolean ok, final String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
