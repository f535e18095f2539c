package io.streamrec.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka (KRaft, combined broker + controller) started in this JVM from the
 * Maven artifacts: no Docker, no downloads. Listeners bind to loopback on free ports.
 *
 * <p>Single-node settings that matter: the offsets, transaction-state and share-coordinator topics
 * use replication factor 1 and min ISR 1 (otherwise consumer groups and transactions hang
 * silently).
 *
 * <p>{@link #close()} is idempotent and deletes the data directory when the broker created it
 * itself.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final Map<String, String> overrides;
  private KafkaRaftServer server;
  private String bootstrapServers;
  private boolean closed;

  private EmbeddedKafkaBroker(Path dataDir, boolean ownsDataDir, Map<String, String> overrides) {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.overrides = Map.copyOf(overrides);
  }

  /** A broker in a fresh temporary directory, deleted on close. */
  public static EmbeddedKafkaBroker temporary() {
    try {
      return new EmbeddedKafkaBroker(Files.createTempDirectory("streamrec-kafka-"), true, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A broker whose log lives in {@code dataDir} (kept on close), with broker configs overridden by
   * {@code overrides}. Two keys are StreamRec's own: {@code streamrec.broker.port} and {@code
   * streamrec.controller.port} fix the listener ports (a restart on the same data directory then
   * keeps its address); otherwise each start picks free ports.
   */
  public static EmbeddedKafkaBroker at(Path dataDir, Map<String, String> overrides) {
    return new EmbeddedKafkaBroker(dataDir, false, overrides);
  }

  /**
   * Formats the storage (first start only) and starts the broker; returns once it answers metadata
   * requests.
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    long t0 = System.nanoTime();
    int brokerPort =
        Integer.parseInt(
            overrides.getOrDefault("streamrec.broker.port", String.valueOf(freePort())));
    int controllerPort =
        Integer.parseInt(
            overrides.getOrDefault("streamrec.controller.port", String.valueOf(freePort())));
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", dataDir.resolve("log").toString());
    props.put("num.partitions", "1");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "3");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "3");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("log.cleaner.backoff.ms", "1000");
    overrides.forEach(
        (k, v) -> {
          if (!k.startsWith("streamrec.")) {
            props.put(k, v);
          }
        });
    try {
      Files.createDirectories(dataDir);
      Path propsFile = dataDir.resolve("server.properties");
      try (var out = Files.newBufferedWriter(propsFile)) {
        props.store(out, "StreamRec embedded broker");
      }
      if (!Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
        format(propsFile);
      }
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start embedded Kafka in " + dataDir, e);
    }
    bootstrapServers = "127.0.0.1:" + brokerPort;
    awaitReady(Duration.ofSeconds(60));
    log.info(
        "Embedded Kafka ready at {} in {} ms (data {})",
        bootstrapServers,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        dataDir);
    return this;
  }

  /** {@code host:port} of the PLAINTEXT listener. */
  public String bootstrapServers() {
    if (bootstrapServers == null) {
      throw new IllegalStateException("broker not started");
    }
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Stops the broker (and deletes a temporary data directory). Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
    if (ownsDataDir) {
      deleteRecursively(dataDir);
    }
  }

  private static void format(Path propsFile) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    String clusterId = Uuid.randomUuid().toString();
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {
                "format", "-t", clusterId, "-c", propsFile.toString(), "--ignore-formatted"
              },
              out);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "kafka-storage format failed (" + rc + "): " + buf.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady(Duration timeout) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Embedded Kafka did not become ready within " + timeout, e);
          }
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** A TCP port that was free a moment ago on loopback. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("Could not delete {}: {}", dir, e.toString());
    }
  }
}
