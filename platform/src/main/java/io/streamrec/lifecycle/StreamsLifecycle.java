package io.streamrec.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
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
 * Owns one {@link KafkaStreams} client for a service (ingest, serving): the one place that decides
 * when a client has failed, so that every topology and every process main agree.
 *
 * <p>Failure policy: an exception that escapes a stream thread (a bug or an infrastructure fault,
 * never bad input, which is dead-lettered) shuts the whole client down ({@code SHUTDOWN_CLIENT}).
 * The client has <b>failed</b> once it enters {@code PENDING_ERROR} or {@code ERROR}, or {@code
 * PENDING_SHUTDOWN} / {@code NOT_RUNNING} without {@link #close} having been called; {@link
 * #isFailed()} then stays true and a process main exits non-zero so that its supervisor restarts it
 * on its state. Kafka Streams' built-in metrics are bound to the registry, tagged {@code
 * app=<name>}. {@link #close} leaves the consumer group, so that a restarted instance gets its
 * tasks back at once instead of after the old member's session timeout.
 */
public final class StreamsLifecycle implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamsLifecycle.class);

  private final String name;
  private final KafkaStreams streams;
  private final KafkaStreamsMetrics metrics;
  private final CountDownLatch running = new CountDownLatch(1);
  private volatile boolean closing;
  private volatile boolean failed;
  private boolean started;
  private boolean closed;

  /** Builds the client; nothing connects until {@link #start()}. */
  public StreamsLifecycle(
      String name, Topology topology, Properties props, MeterRegistry registry) {
    this.name = name;
    this.streams = new KafkaStreams(topology, props);
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("{}: a stream thread failed; shutting the Kafka Streams client down", name, e);
          failed = true;
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.setStateListener(
        (now, before) -> {
          log.info("{}: Kafka Streams state {} -> {}", name, before, now);
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
          if (isFailure(now, closing)) {
            failed = true;
          }
        });
    this.metrics = new KafkaStreamsMetrics(streams, Tags.of("app", name));
    metrics.bindTo(registry);
  }

  /**
   * Whether a transition into {@code state} means the client failed ({@code closing}: close was
   * called).
   */
  static boolean isFailure(KafkaStreams.State state, boolean closing) {
    return switch (state) {
      case PENDING_ERROR, ERROR -> true;
      case PENDING_SHUTDOWN, NOT_RUNNING -> !closing;
      default -> false;
    };
  }

  /** Starts processing (non-blocking); see {@link #awaitRunning}. */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException(name + " already started");
    }
    started = true;
    streams.start();
  }

  /** Whether the client is {@code RUNNING} (not rebalancing, not failed). */
  public boolean isRunning() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** Whether the client failed (see the class comment); stays true. */
  public boolean isFailed() {
    return failed;
  }

  /** The client's state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Waits until the client first reaches {@code RUNNING}; false on timeout. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The client, for interactive queries and tests. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Stops processing within {@code timeout} (committing the open transaction) and leaves the group;
   * idempotent.
   *
   * @return whether the client stopped within the timeout
   */
  public synchronized boolean close(Duration timeout) {
    if (closed) {
      return true;
    }
    closed = true;
    closing = true;
    boolean clean =
        streams.close(
            CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    metrics.close();
    if (clean) {
      log.info("{}: stopped", name);
    } else {
      log.warn("{}: did not stop within {}", name, timeout);
    }
    return clean;
  }

  /** {@link #close(Duration)} with 30 seconds. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
