package io.streamrec.ops.chaos;

import io.streamrec.ops.StreamRecCli;
import io.streamrec.ops.demo.ChildJvm;
import io.streamrec.ops.demo.OrphanGuard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How {@link ChaosSystem} launches its service JVMs: the main class, JVM flags and configuration of
 * the streams-app and the trainer. Every start of a service gets the same configuration (same state
 * directory, ports, ids), as a supervisor restarting it would.
 */
final class ServiceLaunch {
  private final ChaosSystem.Settings settings;
  private final String bootstrap;
  private final Path ingestState;
  private final Path servingState;
  private final Path trainerCheckpoints;
  private final int streamsPort;
  private final int trainerPort;

  ServiceLaunch(
      ChaosSystem.Settings settings,
      String bootstrap,
      Path ingestState,
      Path servingState,
      Path trainerCheckpoints,
      int streamsPort,
      int trainerPort) {
    this.settings = settings;
    this.bootstrap = bootstrap;
    this.ingestState = ingestState;
    this.servingState = servingState;
    this.trainerCheckpoints = trainerCheckpoints;
    this.streamsPort = streamsPort;
    this.trainerPort = trainerPort;
  }

  /** The streams-app (roles ingest and serving), logging to {@code log}. */
  ChildJvm.Spec streamsApp(Path log) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap);
    c.put("topics.suffix", settings.suffix());
    c.put("ingest.application.id", "streamrec-ingest" + settings.suffix());
    c.put("serving.application.id", "streamrec-serving" + settings.suffix());
    c.put("ingest.state.dir", ingestState.toString());
    c.put("serving.state.dir", servingState.toString());
    // the replay is already time-ordered per user; every rating becomes an example at once
    c.put("ingest.min.user.interactions", "1");
    c.put("metrics.port", Integer.toString(streamsPort));
    c.put("serving.http.host", "127.0.0.1");
    c.putAll(overridesFor("ingest.", "serving.", "streams."));
    List<String> args = new ArrayList<>();
    args.add(ChaosSystem.STREAMS_MAIN);
    addSets(args, c);
    return new ChildJvm.Spec(
        "streams-app", OrphanGuard.class.getName(), jvmArgs("-Xmx768m"), args, Map.of(), log);
  }

  /** The trainer, logging to {@code log}. */
  ChildJvm.Spec trainer(Path log) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap);
    c.put("topics.suffix", settings.suffix());
    c.put("trainer.group.id", "streamrec-trainer" + settings.suffix());
    c.put("trainer.checkpoint.dir", trainerCheckpoints.toString());
    c.put("trainer.seed", Long.toString(settings.seed()));
    c.put("metrics.port", Integer.toString(trainerPort));
    c.putAll(overridesFor("trainer."));
    List<String> args = new ArrayList<>();
    args.add(ChaosSystem.TRAINER_MAIN);
    addSets(args, c);
    return new ChildJvm.Spec(
        "trainer",
        OrphanGuard.class.getName(),
        jvmArgs("-Xmx1g"),
        args,
        Map.of("OMP_NUM_THREADS", "1"),
        log);
  }

  /** {@code --set key=value} per entry: the one command-line syntax of both mains (MainArgs). */
  private static void addSets(List<String> args, Map<String, String> config) {
    config.forEach(
        (k, v) -> {
          args.add("--set");
          args.add(k + "=" + v);
        });
  }

  /** The overrides of a service: keys with one of its prefixes, and keys of no service's prefix. */
  private Map<String, String> overridesFor(String... own) {
    List<String> all = List.of("trainer.", "ingest.", "serving.", "streams.");
    Map<String, String> out = new LinkedHashMap<>();
    settings
        .overrides()
        .forEach(
            (k, v) -> {
              boolean mine = Stream.of(own).anyMatch(k::startsWith);
              boolean other = all.stream().anyMatch(k::startsWith);
              if (mine || !other) {
                out.put(k, v);
              }
            });
    return out;
  }

  private static List<String> jvmArgs(String heap) {
    List<String> a =
        new ArrayList<>(
            List.of(
                heap,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + StreamRecCli.LOGBACK_CONFIG,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.streamrec",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1"));
    for (String p : List.of("DJL_CACHE_DIR", "ENGINE_CACHE_DIR")) {
      String v = System.getProperty(p, System.getenv(p));
      if (v != null) {
        a.add("-D" + p + "=" + v);
      }
    }
    return a;
  }
}
