package io.streamrec.ops;

import io.streamrec.config.ConfigSource;
import io.streamrec.config.WireFormatConfig;
import io.streamrec.ops.cli.BenchCommand;
import io.streamrec.ops.cli.ChaosCommand;
import io.streamrec.ops.cli.DemoCommand;
import io.streamrec.ops.cli.EvaluateCommand;
import io.streamrec.ops.cli.ReplayCommand;
import io.streamrec.ops.cli.RunCommand;
import io.streamrec.ops.offline.OfflineCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code streamrec} command line. Each subcommand lives in its own class.
 *
 * <p>Errors: a {@link UserError}, an {@link IllegalArgumentException} (bad configuration) or a bad
 * flag prints one line on stderr and exits 2; any other failure prints one line and exits 1. {@code
 * --verbose} adds the stack trace and lets through the Kafka client and broker log lines that are
 * hidden as known-benign ({@code io.streamrec.logging.KnownBenignLogFilter}).
 */
@Command(
    name = "streamrec",
    mixinStandardHelpOptions = true,
    version = "StreamRec 0.1.0",
    description = "Streaming, online-learning recommendations on Apache Kafka.",
    subcommands = {
      KafkaCommand.class,
      RunCommand.class,
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

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * The ops logging config has its own resource name: the service modules on this classpath ship
   * their own {@code logback.xml}, and with several of them logback picks one arbitrarily and dumps
   * its status.
   */
  public static final String LOGBACK_CONFIG = "streamrec-ops-logback.xml";

  /** System property set by {@code --verbose}; the logback filter and the error handler read it. */
  public static final String VERBOSE_PROPERTY = "streamrec.log.verbose";

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Show stack traces and the known-benign Kafka log lines that are hidden by default.")
  boolean verboseFlag;

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--verbose")) {
      System.setProperty(VERBOSE_PROPERTY, "true");
    }
    useOpsLogging();
    try {
      // STREAMREC_SCHEMAS_WIRE_FORMAT / STREAMREC_SCHEMAS_REGISTRY_URL: the Avro wire format of
      // every command
      // (docs/registry.md); `run` applies its service's full config again
      WireFormatConfig.apply(ConfigSource.load(null, null, Map.of()));
    } catch (IllegalArgumentException e) {
      System.err.println("streamrec: " + e.getMessage());
      System.exit(UserError.EXIT_CODE);
    }
    System.exit(run(args));
  }

  /**
   * Points logback at {@link #LOGBACK_CONFIG} unless the user chose a config; call before the first
   * logger.
   */
  public static void useOpsLogging() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    }
  }

  /** Whether {@code --verbose} was given (or {@value #VERBOSE_PROPERTY} is set). */
  public static boolean verbose() {
    return Boolean.getBoolean(VERBOSE_PROPERTY);
  }

  /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return run(System.err, args);
  }

  /** As {@link #run(String...)}, with error lines going to {@code err}. */
  public static int run(PrintStream err, String... args) {
    boolean verbose = verbose() || Arrays.asList(args).contains("--verbose");
    return commandLine(new StreamRecCli(), err, verbose).execute(args);
  }

  /**
   * A command line for {@code command} with StreamRec's error handling (public for tests of that
   * handling).
   */
  public static CommandLine commandLine(Object command, PrintStream err, boolean verbose) {
    CommandLine cli = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setParameterExceptionHandler(
        (e, argv) -> {
          CommandLine cmd = e.getCommandLine();
          cmd.getErr()
              .println(
                  cmd.getCommandSpec().qualifiedName()
                      + ": "
                      + e.getMessage()
                      + " (see "
                      + cmd.getCommandSpec().qualifiedName()
                      + " --help)");
          return UserError.EXIT_CODE;
        });
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          boolean usage = isUsage(e);
          PrintWriter w = cmd.getErr();
          if (verbose) {
            e.printStackTrace(w);
          }
          w.println(
              cmd.getCommandSpec().qualifiedName()
                  + ": "
                  + (usage ? "" : "failed: ")
                  + oneLine(e)
                  + (verbose || usage ? "" : " (run with --verbose for the stack trace)"));
          w.flush();
          return usage ? UserError.EXIT_CODE : 1;
        });
    return cli;
  }

  /** A {@link UserError} or a configuration error anywhere in the cause chain. */
  static boolean isUsage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UserError
          || (t instanceof IllegalArgumentException && !(t instanceof NumberFormatException))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The most helpful single line: a user error's message, otherwise the innermost cause's type and
   * message.
   */
  static String oneLine(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UserError) {
        return flat(t.getMessage());
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String top = e.getMessage();
    String inner =
        root.getMessage() == null
            ? root.getClass().getSimpleName()
            : root.getClass().getSimpleName() + ": " + root.getMessage();
    if (root == e || top == null) {
      return flat(inner);
    }
    return flat(top.contains(String.valueOf(root.getMessage())) ? top : top + " (" + inner + ")");
  }

  private static String flat(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
