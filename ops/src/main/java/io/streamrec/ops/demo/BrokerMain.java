package io.streamrec.ops.demo;

import io.streamrec.testkit.EmbeddedKafkaBroker;
import java.io.IOException;

/**
 * Entry point of the demo's child-JVM broker: starts a temporary embedded broker, prints
 * {@value #READY}{@code <bootstrap>} on stdout, and stops when stdin closes (the parent exited or closed it) or on
 * SIGTERM. A fatal broker fault then ends only this process, never the demo's JVM.
 */
public final class BrokerMain {
  public static final String READY = "STREAMREC_BROKER_READY ";

  private BrokerMain() {}

  public static void main(String[] args) throws IOException {
    io.streamrec.ops.StreamRecCli.useOpsLogging();
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary();
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
