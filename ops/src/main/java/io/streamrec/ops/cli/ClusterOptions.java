package io.streamrec.ops.cli;

import picocli.CommandLine.Option;

/**
 * {@code --bootstrap} of the commands that start a fresh broker for the run unless pointed at an
 * existing cluster ({@code demo}, {@code bench replay|ingest|pipeline}). Commands that need a
 * running cluster use {@link KafkaOptions}.
 */
public final class ClusterOptions {
  @Option(
      names = "--bootstrap",
      description = "Existing Kafka cluster to use (default: a fresh broker started for this run).")
  String bootstrap;

  /**
   * The existing cluster's bootstrap servers, or {@code null} when the command starts its own
   * broker.
   */
  public String bootstrapOrNull() {
    return bootstrap;
  }
}
