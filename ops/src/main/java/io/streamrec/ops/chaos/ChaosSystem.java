package io.streamrec.ops.chaos;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.ops.StreamRecCli;
import io.streamrec.ops.demo.BrokerProcess;
import io.streamrec.ops.demo.ChildJvm;
import io.streamrec.ops.demo.OrphanGuard;
import io.streamrec.schemas.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The whole system as child JVMs on this JVM's classpath: the broker ({@link BrokerProcess}, kept
 * data directory, fixed ports), the streams-app ({@code io.streamrec.streams.StreamsMain}, roles
 * ingest and serving) and the trainer ({@code io.streamrec.trainer.TrainerMain}). Each can be
 * killed with SIGKILL and started again on the same state directory, ports and configuration, which
 * is what a supervisor (systemd, Kubernetes, compose) does after a crash.
 *
 * <p>Layout of the work directory: {@code kafka/} (broker log), {@code
 * state/{ingest,serving,trainer}}, {@code logs/<service>-<n>.log} (one file per start). The
 * services run under {@link OrphanGuard}, so they end when this JVM ends, however it ends.
 */
public final class ChaosSystem implements AutoCloseable {
  public static final String STREAMS_MAIN = "io.streamrec.streams.StreamsMain";
  public static final String TRAINER_MAIN = "io.streamrec.trainer.TrainerMain";

  /** A service of the system. */
  public enum Service {
    BROKER,
    STREAMS_APP,
    TRAINER
  }

  /**
   * @param workDir state, broker log and service logs
   * @param suffix topic suffix (and application/group id suffix)
   * @param seed trainer seed
   * @param overrides extra configuration: {@code trainer.*} keys go to the trainer, {@code
   *     ingest.*}, {@code serving.*} and {@code streams.*} keys to the streams-app, every other key
   *     (for example {@code kafka.*}) to both
   */
  public record Settings(Path workDir, String suffix, long seed, Map<String, String> overrides) {
    public Settings {
      overrides = Map.copyOf(overrides);
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Settings settings;
  private final int brokerPort = EmbeddedKafkaBroker.freePort();
  private final int controllerPort = EmbeddedKafkaBroker.freePort();
  private final int streamsPort = EmbeddedKafkaBroker.freePort();
  private final int trainerPort = EmbeddedKafkaBroker.freePort();
  private final Map<Service, Integer> starts = new LinkedHashMap<>();
  private BrokerProcess broker;
  private ChildJvm streams;
  private ChildJvm trainer;

  public ChaosSystem(Settings settings) {
    this.settings = settings;
    for (Service s : Service.values()) {
      starts.put(s, 0);
    }
  }

  public String bootstrap() {
    return "127.0.0.1:" + brokerPort;
  }

  public String suffix() {
    return settings.suffix();
  }

  public Path stateDir(String component) {
    return settings.workDir().resolve("state").resolve(component);
  }

  public Path trainerCheckpointDir() {
    return stateDir("trainer");
  }

  public int streamsHttpPort() {
    return streamsPort;
  }

  public int trainerHttpPort() {
    return trainerPort;
  }

  /** How many times {@code s} was started (1 after the first start). */
  public synchronized int starts(Service s) {
    return starts.get(s);
  }

  /**
   * Starts the broker, creates the topics, then starts the streams-app and the trainer (without
   * waiting for them).
   */
  public void startAll() {
    startBroker();
    List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> spec : Topics.all()) {
      topics.add(spec.withSuffix(settings.suffix()));
    }
    TopicAdmin.createAll(bootstrap(), topics, (short) 1, Map.of());
    startTrainer();
    startStreams();
  }

  /**
   * Starts (or restarts) the broker on the same data directory and ports; returns once it answers.
   */
  public synchronized void startBroker() {
    int n = bump(Service.BROKER);
    broker =
        BrokerProcess.start(
            log("broker", n), settings.workDir().resolve("kafka"), brokerPort, controllerPort);
  }

  /**
   * Starts (or restarts) the streams-app on the same state directory and ports; does not wait for
   * readiness.
   */
  public synchronized void startStreams() {
    int n = bump(Service.STREAMS_APP);
    Map<String, String> c = new LinkedHashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap());
    c.put("topics.suffix", settings.suffix());
    c.put("ingest.application.id", "streamrec-ingest" + settings.suffix());
    c.put("serving.application.id", "streamrec-serving" + settings.suffix());
    c.put("ingest.state.dir", stateDir("ingest").toString());
    c.put("serving.state.dir", stateDir("serving").toString());
    // the replay is already time-ordered per user; every rating becomes an example at once
    c.put("ingest.min.user.interactions", "1");
    c.put("metrics.port", Integer.toString(streamsPort));
    c.put("serving.http.host", "127.0.0.1");
    c.putAll(overridesFor("ingest.", "serving.", "streams."));
    List<String> args = new ArrayList<>();
    args.add(STREAMS_MAIN);
    c.forEach((k, v) -> args.add("--" + k + "=" + v));
    streams =
        ChildJvm.start(
            new ChildJvm.Spec(
                "streams-app",
                OrphanGuard.class.getName(),
                jvmArgs("-Xmx768m"),
                args,
                Map.of(),
                log("streams-app", n)),
            false);
  }

  /**
   * Starts (or restarts) the trainer on the same checkpoint directory and port; does not wait for
   * readiness.
   */
  public synchronized void startTrainer() {
    int n = bump(Service.TRAINER);
    Map<String, String> c = new LinkedHashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap());
    c.put("topics.suffix", settings.suffix());
    c.put("trainer.group.id", "streamrec-trainer" + settings.suffix());
    c.put("trainer.checkpoint.dir", trainerCheckpointDir().toString());
    c.put("trainer.seed", Long.toString(settings.seed()));
    c.put("metrics.port", Integer.toString(trainerPort));
    c.putAll(overridesFor("trainer."));
    List<String> args = new ArrayList<>();
    args.add(TRAINER_MAIN);
    c.forEach(
        (k, v) -> {
          args.add("--set");
          args.add(k + "=" + v);
        });
    trainer =
        ChildJvm.start(
            new ChildJvm.Spec(
                "trainer",
                OrphanGuard.class.getName(),
                jvmArgs("-Xmx1g"),
                args,
                Map.of("OMP_NUM_THREADS", "1"),
                log("trainer", n)),
            false);
  }

  /** SIGKILLs one service (a crash); returns its exit code. */
  public synchronized int kill(Service s) {
    return switch (s) {
      case BROKER -> broker.kill();
      case STREAMS_APP -> streams.kill();
      case TRAINER -> trainer.kill();
    };
  }

  /** Starts {@code s} again on the same state (the broker call blocks until it answers). */
  public void restart(Service s) {
    switch (s) {
      case BROKER -> startBroker();
      case STREAMS_APP -> startStreams();
      case TRAINER -> startTrainer();
    }
  }

  /** SIGTERM and wait (clean stop); returns the exit code. */
  public synchronized int stop(Service s, Duration grace) {
    return switch (s) {
      case BROKER -> {
        broker.close();
        yield 0;
      }
      case STREAMS_APP -> streams.stop(grace);
      case TRAINER -> trainer.stop(grace);
    };
  }

  public synchronized boolean isAlive(Service s) {
    return switch (s) {
      case BROKER -> broker != null && broker.isAlive();
      case STREAMS_APP -> streams != null && streams.isAlive();
      case TRAINER -> trainer != null && trainer.isAlive();
    };
  }

  /** The process id of the current incarnation of {@code s}. */
  public synchronized long pid(Service s) {
    return switch (s) {
      case BROKER -> broker.pid();
      case STREAMS_APP -> streams.pid();
      case TRAINER -> trainer.pid();
    };
  }

  /** Exit code of the current streams-app or trainer incarnation, if it ended. */
  public synchronized Optional<Integer> exitCode(Service s) {
    ChildJvm c = s == Service.STREAMS_APP ? streams : s == Service.TRAINER ? trainer : null;
    if (c == null || c.isAlive()) {
      return Optional.empty();
    }
    return Optional.of(c.process().exitValue());
  }

  /**
   * {@code GET /health/ready} of the service answers 200 (for the broker: it is alive; it answered
   * when started).
   */
  public boolean ready(Service s) {
    return switch (s) {
      case BROKER -> isAlive(Service.BROKER);
      case STREAMS_APP ->
          isAlive(Service.STREAMS_APP) && get(streamsPort, "/health/ready").status() == 200;
      case TRAINER -> isAlive(Service.TRAINER) && get(trainerPort, "/health/ready").status() == 200;
    };
  }

  /**
   * Waits until {@code s} is ready; returns the time waited. Fails when the process exits or after
   * {@code timeout}.
   */
  public Duration awaitReady(Service s, Duration timeout) throws InterruptedException {
    return awaitReady(s, timeout, true);
  }

  /**
   * Waits until {@code s} is ready; returns the time waited. Fails after {@code timeout}, and when
   * the process exits if {@code failOnExit} (otherwise it keeps waiting for someone to start it
   * again).
   */
  public Duration awaitReady(Service s, Duration timeout, boolean failOnExit)
      throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    while (!ready(s)) {
      if (failOnExit && !isAlive(s)) {
        throw new IllegalStateException(
            s
                + " exited with "
                + exitCode(s).orElse(-1)
                + " before it was ready; see "
                + settings.workDir().resolve("logs"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(s + " was not ready within " + timeout);
      }
      Thread.sleep(100);
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** An HTTP answer. */
  public record Answer(int status, String body) {}

  /** {@code GET http://127.0.0.1:<port><path>}; status -1 when nothing answered. */
  public static Answer get(int port, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, e.toString());
    }
  }

  /** {@code GET /recommendations/{user}?k=...} on the streams-app. */
  public Answer recommendations(String user, String k) {
    return get(
        streamsPort,
        "/recommendations/"
            + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8)
            + (k == null ? "" : "?k=" + k));
  }

  /** Deletes the serving role's local state (the streams-app must be stopped). */
  public void deleteServingState() {
    deleteRecursively(stateDir("serving"));
  }

  /** Stops the streams-app and the trainer (SIGTERM), then the broker; kills what does not stop. */
  @Override
  public synchronized void close() {
    if (streams != null && streams.isAlive()) {
      streams.stop(Duration.ofSeconds(60));
    }
    if (trainer != null && trainer.isAlive()) {
      trainer.stop(Duration.ofSeconds(60));
    }
    if (broker != null && broker.isAlive()) {
      broker.close();
    }
  }

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

  private int bump(Service s) {
    int n = starts.get(s) + 1;
    starts.put(s, n);
    return n;
  }

  private Path log(String service, int n) {
    return settings.workDir().resolve("logs").resolve(service + "-" + n + ".log");
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

  /** {@code dir}, emptied (deleted and created again). */
  public static Path freshDir(Path dir) {
    deleteRecursively(dir);
    try {
      return Files.createDirectories(dir).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }
}
