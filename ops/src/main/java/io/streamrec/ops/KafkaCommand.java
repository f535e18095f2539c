package io.streamrec.ops;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.cli.Preflight;
import io.streamrec.schemas.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamrec kafka}: a real single-node KRaft broker in the foreground until Ctrl-C. */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description =
        "Run an embedded single-node Kafka broker (KRaft) in the foreground; Ctrl-C stops it.")
final class KafkaCommand implements Callable<Integer> {

  @Option(
      names = "--port",
      description = "Broker port on 127.0.0.1 (default: ${DEFAULT-VALUE}).",
      defaultValue = "9092")
  int port;

  @Option(
      names = "--data-dir",
      description = "Log directory, kept across restarts (default: ${DEFAULT-VALUE}).",
      defaultValue = ".streamrec/kafka")
  Path dataDir;

  @Option(
      names = "--create-topics",
      negatable = true,
      defaultValue = "true",
      description = "Create StreamRec's topics once the broker is up (default: ${DEFAULT-VALUE}).")
  boolean createTopics;

  @Override
  public Integer call() throws Exception {
    Preflight.requireWritableDir(dataDir, "--data-dir");
    requireFreePort(port);
    Map<String, String> overrides = new HashMap<>();
    overrides.put("streamrec.broker.port", Integer.toString(port));
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.at(dataDir.toAbsolutePath(), overrides);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping Kafka...");
                  broker.close();
                  stopped.countDown();
                },
                "kafka-shutdown"));
    long t0 = System.nanoTime();
    broker.start();
    if (createTopics) {
      TopicAdmin.createAll(broker.bootstrapServers(), Topics.all(), (short) 1, Map.of());
    }
    System.out.printf(
        "Kafka is up in %.1f s. bootstrap.servers=%s (data: %s). Press Ctrl-C to stop.%n",
        (System.nanoTime() - t0) / 1e9, broker.bootstrapServers(), dataDir.toAbsolutePath());
    System.out.flush();
    stopped.await();
    return 0;
  }

  /**
   * A port another process listens on is a one-line error before anything is formatted or started.
   */
  static void requireFreePort(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new UserError(
          "Port "
              + port
              + " on 127.0.0.1 is in use (is another broker running?); pick another with"
              + " --port N");
    }
  }
}
