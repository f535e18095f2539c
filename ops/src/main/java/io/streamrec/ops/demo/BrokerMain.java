package io.streamrec.ops.demo;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.ops.StreamRecCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of the demo's child-JVM broker: starts a temporary embedded broker, prints {@value
 * #READY}{@code <bootstrap>} on stdout, and stops when stdin closes (the parent exited or closed
 * it) or on SIGTERM. A fatal broker fault then ends only this process, never the demo's JVM.
 *
 * <p>Arguments (all optional): {@code --data-dir DIR} keeps the log in DIR (a restart on it finds
 * its topics and offsets again), {@code --port N} and {@code --controller-port N} fix the listener
 * ports (clients reconnect to the same address after a restart). Without them the broker is
 * temporary and picks free ports.
 */
public final class BrokerMain {
  public static final String READY = "STREAMREC_BROKER_READY ";

  private BrokerMain() {}

  public static void main(String[] args) throws IOException {
    StreamRecCli.useOpsLogging();
    Path dataDir = null;
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(args[i + 1]);
        case "--port" -> overrides.put("streamrec.broker.port", args[i + 1]);
        case "--controller-port" -> overrides.put("streamrec.controller.port", args[i + 1]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    EmbeddedKafkaBroker broker =
        dataDir == null && overrides.isEmpty()
            ? EmbeddedKafkaBroker.temporary()
            : EmbeddedKafkaBroker.at(
                dataDir == null ? Files.createTempDirectory("streamrec-kafka-") : dataDir,
                overrides);
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
    broker.start();
    System.out.println(READY + broker.bootstrapServers());
    System.out.flush();
    while (System.in.read() >= 0) {
      // the parent never writes; EOF means it is gone or wants us to stop
    }
    broker.close();
  }
}
