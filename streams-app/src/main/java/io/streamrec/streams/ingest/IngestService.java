package io.streamrec.streams.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.lifecycle.StreamsLifecycle;
import io.streamrec.streams.errors.DeadLetterProductionExceptionHandler;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link IngestTopology} in a {@link KafkaStreams} client: the runnable unit that {@code
 * StreamsMain} and the in-process demo start. It does not create topics (the ratings,
 * training-examples and ingest dead-letter topics must exist, e.g. through {@code streamrec topics
 * create}); Kafka Streams creates its internal topics itself.
 *
 * <p>Failure policy: {@link StreamsLifecycle}'s, shared with serving: an exception that escapes a
 * stream thread (a bug or an infrastructure fault, never bad input) shuts the client down; {@link
 * #isFailed()} then turns true, and the process main exits non-zero. Kafka Streams' built-in
 * metrics are bound to the given registry, tagged {@code app=ingest}.
 */
public final class IngestService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IngestService.class);

  private final IngestConfig config;
  private final StreamsLifecycle lifecycle;

  /** Builds the topology and the Kafka Streams client; nothing connects until {@link #start()}. */
  public IngestService(IngestConfig config, MeterRegistry registry) {
    this.config = config;
    Topology topology = IngestTopology.build(config, registry);
    Properties props = config.toStreamsProperties();
    props.put(DeadLetterProductionExceptionHandler.METER_REGISTRY_CONFIG, registry);
    this.lifecycle = new StreamsLifecycle("ingest", topology, props, registry);
    log.debug("Ingest topology:\n{}", topology.describe());
  }

  /** Starts processing (non-blocking); see {@link #awaitRunning}. */
  public void start() {
    log.info("Starting ingest topology with {}", config.describe());
    lifecycle.start();
  }

  /** Whether the Kafka Streams client is {@code RUNNING} (not rebalancing, not failed). */
  public boolean isRunning() {
    return lifecycle.isRunning();
  }

  /**
   * Whether the client failed ({@link StreamsLifecycle}: a dead stream thread or an unrequested
   * shutdown).
   */
  public boolean isFailed() {
    return lifecycle.isFailed();
  }

  /** The Kafka Streams client state. */
  public KafkaStreams.State state() {
    return lifecycle.state();
  }

  /** Waits until the client first reaches {@code RUNNING}; false on timeout. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return lifecycle.awaitRunning(timeout);
  }

  /** The Kafka Streams client, for interactive queries and tests. */
  public KafkaStreams streams() {
    return lifecycle.streams();
  }

  /**
   * Stops processing within {@code ingest.close.timeout} (committing the open transaction) and
   * leaves the consumer group; idempotent.
   */
  @Override
  public void close() {
    lifecycle.close(config.closeTimeout());
  }
}
