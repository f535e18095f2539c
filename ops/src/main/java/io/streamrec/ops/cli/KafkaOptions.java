package io.streamrec.ops.cli;

import picocli.CommandLine.Option;

/**
 * The Kafka options of the commands that talk to a running cluster ({@code replay}, {@code
 * evaluate}, {@code topics create}): {@code --bootstrap}, defaulting to {@link #DEFAULT_BOOTSTRAP},
 * and {@code --topics-suffix}. Commands that start a fresh broker unless pointed at one use {@link
 * ClusterOptions} instead.
 */
public final class KafkaOptions {
  /**
   * The one default bootstrap address: where {@code streamrec kafka} listens by default, and the
   * {@code kafka.bootstrap.servers} of every service's defaults file ({@code KafkaOptionsTest}
   * keeps them equal).
   */
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

  @Option(
      names = "--bootstrap",
      defaultValue = DEFAULT_BOOTSTRAP,
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrap = DEFAULT_BOOTSTRAP;

  @Option(
      names = "--topics-suffix",
      defaultValue = "",
      description = "Suffix appended to every topic name.")
  String topicsSuffix = "";

  /** The bootstrap servers to connect to. */
  public String bootstrap() {
    return bootstrap;
  }

  /** The suffix appended to every topic name ({@code ""} for the plain names). */
  public String topicsSuffix() {
    return topicsSuffix;
  }
}
