package io.streamrec.ops.chaos;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.demo.BrokerProcess;
import io.streamrec.ops.demo.ChildJvm;
import io.streamrec.ops.demo.OrphanGuard;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

  private final Settings settings;
  private final int brokerPort = EmbeddedKafkaBroker.freePort();
  private final int controllerPort = EmbeddedKafkaBroker.freePort();
  private final int streamsPort = EmbeddedKafkaBroker.freePort();
  private final int trainerPort = EmbeddedKafkaBroker.freePort();
  private final Map<Service, Integer> starts = new LinkedHashMap<>();
  private final ServiceLaunch launch;
  private BrokerProcess broker;
  private ChildJvm streams;
  private ChildJvm trainer;

  public ChaosSystem(Settings settings) {
    this.settings = settings;
    this.launch =
        new ServiceLaunch(
            settings,
            bootstrap(),
            stateDir("ingest"),
            stateDir("serving"),
            trainerCheckpointDir(),
            streamsPort,
            trainerPort);
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
    streams = ChildJvm.start(launch.streamsApp(log("streams-app", n)), false);
  }

  /**
   * Starts (or restarts) the trainer on the same checkpoint directory and port; does not wait for
   * readiness.
   */
  public synchronized void startTrainer() {
    int n = bump(Service.TRAINER);
    trainer = ChildJvm.start(launch.trainer(log("trainer", n)), false);
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
          isAlive(Service.STREAMS_APP)
              && ServiceHttp.get(streamsPort, "/health/ready").status() == 200;
      case TRAINER ->
          isAlive(Service.TRAINER) && ServiceHttp.get(trainerPort, "/health/ready").status() == 200;
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

  /** {@code GET /recommendations/{user}?k=...} on the streams-app. */
  public ServiceHttp.Answer recommendations(String user, String k) {
    return ServiceHttp.get(
        streamsPort,
        "/recommendations/"
            + URLEncoder.encode(user, StandardCharsets.UTF_8)
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

  private int bump(Service s) {
    int n = starts.get(s) + 1;
    starts.put(s, n);
    return n;
  }

  private Path log(String service, int n) {
    return settings.workDir().resolve("logs").resolve(service + "-" + n + ".log");
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
