package io.streamrec.ops;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamrec} command line. Each subcommand lives in its own class. */
@Command(name = "streamrec", mixinStandardHelpOptions = true, version = "StreamRec 0.1.0",
    description = "Streaming, online-learning recommendations on Apache Kafka.",
    subcommands = {
        KafkaCommand.class,
        TopicsCommand.class,
        io.streamrec.ops.offline.OfflineCommand.class,
        CommandLine.HelpCommand.class
    })
public final class StreamRecCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return new CommandLine(new StreamRecCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
