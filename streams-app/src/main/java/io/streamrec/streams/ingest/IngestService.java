package io.streamrec.streams.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streamrec.streams.errors.DeadLetterProductionExceptionHandler;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link IngestTopology} in a {@link KafkaStreams} client: the runnable unit that {@code StreamsMain} and the
 * in-process demo start. It does not create topics (the ratings, training-examples and ingest dead-letter topics must
 * exist, e.g. through {@code streamrec topics create}); Kafka Streams creates its internal topics itself.
 *
 * <p>Failure policy: an exception that escapes a stream thread (a bug or an infrastructure fault, never bad input)
 * shuts the client down ({@code SHUTDOWN_CLIENT}); {@link #isFailed()} then turns true, and the process main exits
 * non-zero. Kafka Streams' built-in metrics are bound to the given registry, tagged {@code app=ingest}.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private final IngestConfig config;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final CountDownLatch running = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile boolean failed;
    private boolean started;
    private boolean closed;

    /** Builds the topology and the Kafka Streams client; nothing connects until {@link #start()}. */
    public IngestService(IngestConfig config, MeterRegistry registry) {
        this.config = config;
        Topology topology = IngestTopology.build(config, registry);
        Properties props = config.toStreamsProperties();
        props.put(DeadLetterProductionExceptionHandler.METER_REGISTRY_CONFIG, registry);
        this.streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Ingest stream thread died; shutting the Kafka Streams client down", e);
            failed = true;
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            log.info("Ingest Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR
                    || (!closing && (now == KafkaStreams.State.PENDING_SHUTDOWN
                    || now == KafkaStreams.State.NOT_RUNNING))) {
                failed = true;
            }
        });
        this.streamsMetrics = new KafkaStreamsMetrics(streams, Tags.of("app", "ingest"));
        streamsMetrics.bindTo(registry);
        log.debug("Ingest topology:\n{}", topology.describe());
    }

    /** Starts processing (non-blocking); see {@link #awaitRunning}. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("IngestService already started");
        }
        started = true;
        log.info("Starting ingest topology with {}", config.describe());
        streams.start();
    }

    /** Whether the Kafka Streams client is {@code RUNNING} (not rebalancing, not failed). */
    public boolean isRunning() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Whether the client died or was shut down by anything but {@link #close()}. */
    public boolean isFailed() {
        return failed;
    }

    /** The Kafka Streams client state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until the client first reaches {@code RUNNING}; false on timeout. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The Kafka Streams client, for interactive queries and tests. */
    public KafkaStreams streams() {
        return streams;
    }

    /**
     * Stops processing within {@code ingest.close.timeout} (committing the open transaction) and leaves the consumer
     * group; idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        // leave the group so that another instance takes the tasks over at once instead of after session.timeout.ms
        boolean clean = streams.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(config.closeTimeout()));
        streamsMetrics.close();
        if (clean) {
            log.info("Ingest topology stopped");
        } else {
            log.warn("Ingest topology did not stop within {}", config.closeTimeout());
        }
    }
}
