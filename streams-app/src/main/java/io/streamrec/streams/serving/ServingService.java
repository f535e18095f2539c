package io.streamrec.streams.serving;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.deadletter.DeadLetterProducer;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.lifecycle.StreamsLifecycle;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the serving topology: one {@link KafkaStreams} client, the HTTP routes ({@code
 * /recommendations/}, the live page at {@code /} and its {@code /stats}), and a small producer for
 * dead letters of the global item store.
 *
 * <p>Usage: {@code try (var s = new ServingService(config, registry)) { s.start(); ... }}. The HTTP
 * route goes on a {@link MetricsServer} passed in (shared with other components; its port becomes
 * this instance's {@code application.server}) or, when none is given, on one the service starts on
 * {@code serving.http.host:serving.http.port} and owns (pass a {@link PrometheusMeterRegistry} to
 * see the meters on its {@code /metrics}). Failure policy: {@link StreamsLifecycle}'s, shared with
 * ingest: a fatal stream error shuts the client down, {@link #isFailed()} turns true and {@link
 * #isRunning()} false, so a supervisor can exit and restart the process.
 */
public final class ServingService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServingService.class);

  private final ServingConfig config;
  private final MeterRegistry registry;
  private final MetricsServer sharedServer;
  private MetricsServer server;
  private boolean ownsServer;
  private KafkaProducer<byte[], byte[]> deadLetterProducer;
  private ServingDependencies deps;
  private volatile StreamsLifecycle lifecycle;

  /** A service that starts and owns its HTTP endpoint. */
  public ServingService(final ServingConfig config, final MeterRegistry registry) {
    this(config, registry, null);
  }

  /** A service that adds its route to {@code server} (may be null: then it starts its own). */
  public ServingService(
      final ServingConfig config, final MeterRegistry registry, final MetricsServer server) {
    this.config = config;
    this.registry = registry;
    this.sharedServer = server;
  }

  /**
   * Starts the HTTP route and Kafka Streams; returns at once (state goes REBALANCING then RUNNING).
   */
  public synchronized ServingService start() {
    if (lifecycle != null) {
      throw new IllegalStateException("already started");
    }
    // before any side effect: a serving.movielens.dir without u.item is a configuration error
    final ItemTitles titles = ItemTitles.load(config.movieLensDir());
    if (sharedServer != null) {
      server = sharedServer;
    } else {
      final PrometheusMeterRegistry prom =
          registry instanceof PrometheusMeterRegistry p ? p : MetricsServer.newRegistry();
      server = MetricsServer.start(config.httpHost(), config.httpPort(), prom);
      ownsServer = true;
    }
    final Properties props = config.toStreamsProperties(server.port());
    log.info(
        "Starting serving: application.id={} application.server={}:{} topics.suffix='{}' k={} debounce={} "
            + "ann.min.items={} (embedding dimension: the model's)",
        config.applicationId(),
        config.advertisedHost(),
        server.port(),
        config.topicsSuffix(),
        config.defaultK(),
        config.debounce(),
        config.annMinItems());
    deadLetterProducer =
        new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
    final DeadLetterProducer globalDeadLetters =
        new DeadLetterProducer(
            deadLetterProducer, config.topic(Topics.DLQ_SERVING).name(), "serving", registry);
    final ServingMetrics metrics = new ServingMetrics(registry);
    deps =
        ServingDependencies.create(
            config,
            metrics,
            // a global store's processor may not forward: its dead letters go through a side
            // producer, outside the transaction
            globalDeadLetters::send,
            Clock.systemUTC());
    final Topology topology = ServingTopology.build(deps);
    log.info("Serving topology:\n{}", topology.describe());
    lifecycle = new StreamsLifecycle("serving", topology, props, registry);
    final KafkaStreams streams = lifecycle.streams();
    final HostInfo self = new HostInfo(config.advertisedHost(), server.port());
    server.route(
        RecommendationsRoute.PATH, new RecommendationsRoute(deps, streams, self, server, titles));
    server.route(
        StatsRoute.PATH,
        new StatsRoute(registry, lifecycle::streams, deps.items(), deps.clock()::millis, server));
    server.home(new LivePage(server));
    if (titles.source() != null) {
      log.info(
          "Item titles from {} ({} items); live page on http://{}:{}/",
          titles.source(),
          titles.size(),
          config.advertisedHost(),
          server.port());
    } else {
      log.info(
          "Live page on http://{}:{}/ (no serving.movielens.dir: item ids without titles)",
          config.advertisedHost(),
          server.port());
    }
    if (ownsServer) {
      server.readiness(this::isRunning);
    }
    lifecycle.start();
    return this;
  }

  /**
   * Whether Kafka Streams is RUNNING (false before start, while rebalancing, after a fatal error).
   */
  public boolean isRunning() {
    final StreamsLifecycle l = lifecycle;
    return l != null && l.isRunning();
  }

  /**
   * Whether the Kafka Streams client died (a fatal error or an unrequested shutdown); the process
   * should exit.
   */
  public boolean isFailed() {
    final StreamsLifecycle l = lifecycle;
    return l != null && l.isFailed();
  }

  /** The Kafka Streams state, or {@code null} before {@link #start()}. */
  public KafkaStreams.State state() {
    final StreamsLifecycle l = lifecycle;
    return l == null ? null : l.state();
  }

  /** The port of the HTTP endpoint carrying the route (after {@link #start()}). */
  public int httpPort() {
    return server.port();
  }

  /**
   * The instance's dependencies (item matrix, popularity, meters); for tests, benchmarks and the
   * demo.
   */
  public ServingDependencies dependencies() {
    return deps;
  }

  /**
   * The side producer: the {@code kafka.*} producer keys, then the platform's idempotent producer.
   */
  private Properties producerProps() {
    final Properties p = new Properties();
    final Map<String, String> passthrough = new HashMap<>(config.kafka());
    passthrough.keySet().retainAll(ProducerConfig.configNames());
    p.putAll(passthrough);
    p.putAll(ClientProperties.producer(config.bootstrapServers()));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-dlq");
    return p;
  }

  @Override
  public synchronized void close() {
    if (lifecycle != null) {
      lifecycle.close(Duration.ofSeconds(30));
    }
    if (deadLetterProducer != null) {
      deadLetterProducer.close(Duration.ofSeconds(10));
      deadLetterProducer = null;
    }
    if (ownsServer && server != null) {
      server.close();
    }
    if (deps != null) {
      deps.close();
    }
  }
}
