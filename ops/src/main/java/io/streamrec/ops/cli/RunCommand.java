package io.streamrec.ops.cli;

import io.streamrec.config.ConfigSource;
import io.streamrec.ops.UserError;
import io.streamrec.streams.StreamsMain;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.trainer.TrainerConfig;
import io.streamrec.trainer.TrainerMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code streamrec run ingest|serving|trainer [--config FILE] [--set key=value]...}: one service in
 * the foreground, the way Kafka's own tools run, with one flag syntax for every service.
 * Configuration layers as everywhere: classpath defaults &lt; {@code --config FILE} &lt; {@code
 * STREAMREC_*} environment &lt; {@code --set}.
 *
 * <p>Before anything starts it checks what a person can fix (exit code 2, one line): the config
 * file is readable, the state or checkpoint directory can be written, a broker answers at {@code
 * kafka.bootstrap.servers}. Then it hands over to the service's own main ({@link StreamsMain} with
 * {@code streams.roles} set to the one role, or {@link TrainerMain}), which owns signals, readiness
 * and exit codes (0 stopped, 1 failed, 2 configuration).
 *
 * <p>Each role has its own default {@code metrics.port} (serving 9401, trainer 9402, ingest 9403),
 * so the three run side by side on one machine; a port from the file, the environment or {@code
 * --set} wins.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run one StreamRec service in the foreground until Ctrl-C/SIGTERM: ingest, serving or trainer.",
      "Keys: the service's defaults file (docs/operations.md); Kafka client settings under kafka.*."
    })
public final class RunCommand implements Callable<Integer> {

  /** The services. */
  public enum Role {
    INGEST(IngestConfig.DEFAULTS_RESOURCE, "ingest.state.dir", 9403),
    SERVING(ServingConfig.DEFAULTS, "serving.state.dir", 9401),
    TRAINER(TrainerConfig.DEFAULTS, "trainer.checkpoint.dir", 9402);

    final String defaults;
    final String dirKey;
    final int defaultPort;

    Role(String defaults, String dirKey, int defaultPort) {
      this.defaults = defaults;
      this.dirKey = dirKey;
      this.defaultPort = defaultPort;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String METRICS_PORT = "metrics.port";
  static final String BOOTSTRAP = "kafka.bootstrap.servers";
  static final Duration SERVICE_BROKER_TIMEOUT = Duration.ofSeconds(60);

  @Parameters(index = "0", description = "ingest | serving | trainer")
  Role role;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with service keys.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "One service key (repeatable); wins over the file" + " and the environment.")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(
      names = "--skip-broker-check",
      description = "Start even when no broker answers yet (the service waits).")
  boolean skipBrokerCheck;

  @Override
  public Integer call() throws Exception {
    String[] argv = mainArguments(checked());
    if (role == Role.TRAINER) {
      TrainerMain.main(argv);
    } else {
      StreamsMain.main(argv);
    }
    return 0;
  }

  /**
   * Runs the checks and returns the final overrides (the {@code --set} values plus a role default
   * port).
   */
  Map<String, String> checked() {
    if (config != null) {
      Preflight.requireReadableFile(config, "--config");
    }
    ConfigSource merged = ConfigSource.load(role.defaults, config, sets);
    Preflight.requireWritableDir(Path.of(merged.string(role.dirKey)), role.dirKey);
    Map<String, String> overrides = new LinkedHashMap<>(sets);
    // a metrics.port nobody chose: the role's own, so that ingest, serving and trainer fit on one
    // host
    if (!ConfigSource.load(null, config, sets).asMap().containsKey(METRICS_PORT)) {
      overrides.put(METRICS_PORT, Integer.toString(role.defaultPort));
    }
    if (!skipBrokerCheck) {
      // a refused or unknown address fails at once; a listening broker that is still starting gets
      // a minute
      Preflight.requireBroker(
          merged.string(BOOTSTRAP), SERVICE_BROKER_TIMEOUT, "--set " + BOOTSTRAP + "=HOST:PORT");
    }
    return overrides;
  }

  /**
   * The argument vector of the service's main: both mains read the same {@code MainArgs} syntax
   * ({@code --config FILE}, {@code --set KEY=VALUE}).
   */
  String[] mainArguments(Map<String, String> overrides) {
    List<String> a = new ArrayList<>();
    if (config != null) {
      a.add("--config");
      a.add(config.toString());
    }
    if (role == Role.TRAINER) {
      overrides.forEach(
          (k, v) -> {
            a.add("--set");
            a.add(k + "=" + v);
          });
    } else {
      a.add("--set");
      a.add(StreamsMain.ROLES + "=" + role.label());
      overrides.forEach(
          (k, v) -> {
            if (k.equals(StreamsMain.ROLES)) {
              throw new UserError(
                  "streamrec run "
                      + role.label()
                      + " runs exactly that role; drop --set "
                      + StreamsMain.ROLES);
            }
            a.add("--set");
            a.add(k + "=" + v);
          });
    }
    return a.toArray(String[]::new);
  }
}
