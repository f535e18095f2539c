package io.streamrec.metrics;

import io.streamrec.kafka.ClientProperties;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka half of a service's readiness: the broker answers and every input topic exists. A
 * background thread checks every {@code interval} with an {@link Admin} client (cluster description
 * and topic list, each bounded by {@code timeout}) and keeps the last result, so {@code
 * /health/ready} never blocks on the broker. Not ready until the first check succeeded.
 */
public final class KafkaReadiness implements BooleanSupplier, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaReadiness.class);

  /** The outcome of one check: {@code ready}, or the reason it is not. */
  public record Status(boolean ready, String detail) {}

  private final Admin admin;
  private final List<String> inputTopics;
  private final Duration timeout;
  private final ScheduledExecutorService timer;
  private volatile Status status = new Status(false, "not checked yet");

  private KafkaReadiness(Admin admin, Collection<String> inputTopics, Duration timeout) {
    this.admin = admin;
    this.inputTopics = List.copyOf(inputTopics);
    this.timeout = timeout;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kafka-readiness");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts checking {@code bootstrapServers} (with the client settings in {@code clientProps}, e.g.
   * security keys) for {@code inputTopics} every {@code interval}.
   */
  public static KafkaReadiness start(
      String bootstrapServers,
      Map<String, ?> clientProps,
      Collection<String> inputTopics,
      Duration interval) {
    Properties p = ClientProperties.admin(bootstrapServers, "streamrec-readiness");
    clientProps.forEach(
        (k, v) -> {
          if (AdminClientConfig.configNames().contains(k)
              && !k.equals(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
              && !k.equals(AdminClientConfig.CLIENT_ID_CONFIG)) {
            p.put(k, v);
          }
        });
    Duration timeout =
        interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    KafkaReadiness r = new KafkaReadiness(Admin.create(p), inputTopics, timeout);
    r.timer.scheduleWithFixedDelay(r::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return r;
  }

  /** Whether the last check found the broker reachable and every input topic present. */
  @Override
  public boolean getAsBoolean() {
    return status.ready();
  }

  /** The last check's outcome. */
  public Status status() {
    return status;
  }

  /** Runs one check now (also called by the timer). */
  public Status check() {
    Status s;
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .nodes()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Set<String> names =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs((int) timeout.toMillis()))
              .names()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Set<String> missing = new TreeSet<>(inputTopics);
      missing.removeAll(names);
      s =
          missing.isEmpty()
              ? new Status(true, "broker reachable, input topics present")
              : new Status(false, "input topics missing: " + missing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s = new Status(false, "interrupted");
    } catch (Exception e) {
      s = new Status(false, "broker unreachable: " + e);
    }
    if (s.ready() != status.ready()) {
      if (s.ready()) {
        log.info("Kafka ready: {}", s.detail());
      } else {
        log.warn("Kafka not ready: {}", s.detail());
      }
    }
    status = s;
    return s;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(2));
  }
}
