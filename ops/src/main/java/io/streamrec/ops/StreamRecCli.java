package io.streamrec.ops;

import io.streamrec.ops.cli.BenchCommand;
import io.streamrec.ops.cli.ChaosCommand;
import io.streamrec.ops.cli.DemoCommand;
import io.streamrec.ops.cli.EvaluateCommand;
import io.streamrec.ops.cli.ReplayCommand;
import io.streamrec.ops.offline.OfflineCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamrec} command line. Each subcommand lives in its own class. */
@Command(name = "streamrec", mixinStandardHelpOptions = true, version = "StreamRec 0.1.0",
    description = "Streaming, online-learning recommendations on Apache Kafka.",
    subcommands = {
        KafkaCommand.class,
        TopicsCommand.class,
        ReplayCommand.class,
        EvaluateCommand.class,
        DemoCommand.class,
        BenchCommand.class,
        ChaosCommand.class,
        OfflineCommand.class,
        CommandLine.HelpCommand.class
    })
public final class StreamRecCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * The ops logging config has its own resource name: the service modules on this classpath ship their own
   * {@code logback.xml}, and with several of them logback picks one arbitrarily and dumps its status.
   */
  public static final String LOGBACK_CONFIG = "streamrec-ops-logback.xml";

  public static void main(String[] args) {
    useOpsLogging();
    System.exit(run(args));
  }

  /** Points logback at {@link #LOGBACK_CONFIG} unless the user chose a config; call before the first logger. */
  public static void useOpsLogging() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    }
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
