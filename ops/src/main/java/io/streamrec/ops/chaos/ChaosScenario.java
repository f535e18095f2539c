package io.streamrec.ops.chaos;

import io.streamrec.ops.chaos.ChaosReport.KillResult;
import io.streamrec.ops.chaos.ChaosReport.ServingCheck;
import io.streamrec.ops.chaos.ChaosReport.TrainerCheck;
import io.streamrec.ops.chaos.ChaosSystem.Service;
import io.streamrec.ops.demo.ChildJvm;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.trainer.Checkpoints;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill/restart scenario: start the system as child JVMs ({@link ChaosSystem}), replay MovieLens
 * ratings at a fixed pace, SIGKILL services at the ratings a {@link KillPlan} drew from the seed
 * and start each again at once on the same state, then audit: every rating must be exactly one
 * training example or one dead letter (read {@code read_committed}), the trainer's checkpoint must
 * cover every committed example and its versions never decrease, serving must answer personalised
 * lists without seen items, also after a restart with its state directory deleted, and no process
 * may be left running. Produces a {@link ChaosReport}; asserts nothing.
 */
public final class ChaosScenario {
  private static final Logger log = LoggerFactory.getLogger(ChaosScenario.class);
  private static final int MAX_SUPERVISOR_RESTARTS = 5;

  /**
   * @param dataDir MovieLens directory
   * @param ratings replay the first N ratings by time (0 = all)
   * @param seed kill plan, user sample and trainer seed
   * @param streamsKills SIGKILLs of the streams-app
   * @param trainerKills SIGKILLs of the trainer
   * @param brokerKills SIGKILLs of the broker
   * @param replay how long the replay should take (the pace; the kills fall inside it)
   * @param workDir state, broker log, service logs
   * @param startTimeout bound on each (re)start until ready
   * @param catchUpTimeout bound on waiting for ingest and the trainer to process everything after
   *     the replay
   * @param usersToCheck users asked for recommendations
   * @param deleteServingState also restart serving with its state directory deleted
   * @param overrides extra service configuration ({@link ChaosSystem.Settings})
   */
  public record Settings(
      Path dataDir,
      int ratings,
      long seed,
      int streamsKills,
      int trainerKills,
      int brokerKills,
      Duration replay,
      Path workDir,
      Duration startTimeout,
      Duration catchUpTimeout,
      int usersToCheck,
      boolean deleteServingState,
      Map<String, String> overrides) {
    public Settings {
      overrides = Map.copyOf(overrides);
    }
  }

  private final Settings s;
  private final PrintStream out;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final Map<Service, CompletableFuture<KillResult>> recovering =
      new EnumMap<>(Service.class);
  private final List<Long> checkpointVersions = new CopyOnWriteArrayList<>();
  private final ChaosChecks checks;
  private final Set<Long> pids = Collections.synchronizedSet(new LinkedHashSet<>());
  private final List<String> supervisorRestarts = new CopyOnWriteArrayList<>();
  private volatile boolean supervising;

  private ChaosScenario(Settings s, PrintStream out) {
    this.s = s;
    this.out = out;
    this.checks = new ChaosChecks(s, out, errors, checkpointVersions);
  }

  public static ChaosReport run(Settings s, PrintStream out) throws InterruptedException {
    return new ChaosScenario(s, out).run();
  }

  private ChaosReport run() throws InterruptedException {
    long t0 = System.nanoTime();
    List<Interaction> ratings = MovieLens.sortedByTime(MovieLens.load(s.dataDir()).ratings());
    if (s.ratings() > 0 && s.ratings() < ratings.size()) {
      ratings = ratings.subList(0, s.ratings());
    }
    Map<String, Set<String>> seen = new HashMap<>();
    Set<String> expected = new HashSet<>();
    for (Interaction r : ratings) {
      seen.computeIfAbsent(r.userId(), u -> new HashSet<>()).add(r.itemId());
      expected.add(TopicAudit.identity(r.userId(), r.itemId(), r.timestamp()));
    }
    List<KillPlan.Kill> plan =
        KillPlan.draw(
            s.seed(), ratings.size(), s.streamsKills(), s.trainerKills(), s.brokerKills());
    out.printf(
        "Chaos: %,d ratings over %d s, kills %s%n", ratings.size(), s.replay().toSeconds(), plan);

    String suffix = String.format(Locale.ROOT, "-chaos-%d", s.seed());
    ChaosSystem sys =
        new ChaosSystem(new ChaosSystem.Settings(s.workDir(), suffix, s.seed(), s.overrides()));
    List<CompletableFuture<KillResult>> kills = new ArrayList<>();
    TopicAudit.IngestOutcome ingest = new TopicAudit.IngestOutcome();
    TrainerCheck trainer = null;
    ServingCheck serving = null;
    ServingCheck fresh = null;
    long sent = 0;
    try {
      sys.startAll();
      track(sys);
      sys.awaitReady(Service.TRAINER, s.startTimeout());
      Duration streamsUp = sys.awaitReady(Service.STREAMS_APP, s.startTimeout());
      out.printf(
          "System up (streams-app ready %.1f s after the trainer); replaying ...%n",
          streamsUp.toMillis() / 1e3);

      Thread supervisor = supervise(sys);
      sent =
          PacedReplay.send(
              sys,
              ratings,
              s.replay(),
              plan,
              (k, replayStart) -> kills.add(kill(sys, k, replayStart)),
              errors);
      for (CompletableFuture<KillResult> f : recovering.values()) {
        await(f);
      }
      out.printf("Replay done: %,d ratings acknowledged; auditing ...%n", sent);

      checks.catchUp(sys, expected, ingest);
      supervising = false;
      supervisor.join(5_000);
      trainer = checks.trainerCheck(sys, ingest);
      List<String> users = ChaosChecks.sample(seen.keySet(), s.usersToCheck(), s.seed());
      checks.awaitServingCaughtUp(sys);
      serving = checks.servingCheck(sys, users, seen, null);
      if (s.deleteServingState()) {
        int rc = sys.stop(Service.STREAMS_APP, Duration.ofSeconds(60));
        sys.deleteServingState();
        out.printf("streams-app stopped (exit %d), serving state deleted; restarting ...%n", rc);
        sys.startStreams();
        track(sys);
        Duration up;
        try {
          up = sys.awaitReady(Service.STREAMS_APP, s.startTimeout());
        } catch (IllegalStateException e) {
          errors.add("serving restart with its state dir deleted: " + e.getMessage());
          up = null;
        }
        if (up != null) {
          checks.awaitServingCaughtUp(sys);
        }
        fresh = checks.servingCheck(sys, users, seen, up);
      }
    } catch (RuntimeException e) {
      log.error("Chaos run failed", e);
      errors.add(e.toString());
    } finally {
      supervising = false;
      sys.close();
      ChildJvm.killAll();
    }
    int left = 0;
    for (long pid : pids) {
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      if (h.isPresent() && h.get().isAlive()) {
        left++;
      }
    }
    return new ChaosReport(
        sent,
        expected.size(),
        ingest.exampleRecords(),
        ingest.deadLetterRecords(),
        ingest.reasons(),
        ingest.lost(expected),
        ingest.duplicated(),
        results(kills),
        trainer,
        serving,
        fresh,
        left,
        List.copyOf(supervisorRestarts),
        (System.nanoTime() - t0) / 1e9,
        List.copyOf(errors));
  }

  /**
   * What a process supervisor (compose {@code restart: unless-stopped}, Kubernetes) does: a
   * streams-app or trainer that exited on its own (not killed by the plan) is started again on the
   * same state, at most {@value #MAX_SUPERVISOR_RESTARTS} times per service; each such restart is
   * reported.
   */
  private Thread supervise(ChaosSystem sys) {
    supervising = true;
    Thread t =
        new Thread(
            () -> {
              Map<Service, Integer> restarts = new EnumMap<>(Service.class);
              while (supervising) {
                for (Service v : List.of(Service.STREAMS_APP, Service.TRAINER)) {
                  synchronized (sys) {
                    if (supervising
                        && !sys.isAlive(v)
                        && restarts.getOrDefault(v, 0) < MAX_SUPERVISOR_RESTARTS) {
                      String line =
                          v
                              + " exited on its own with code "
                              + sys.exitCode(v).orElse(-1)
                              + "; restarted";
                      restarts.merge(v, 1, Integer::sum);
                      supervisorRestarts.add(line);
                      out.println("  supervisor: " + line);
                      sys.restart(v);
                      track(sys);
                    }
                  }
                }
                try {
                  Thread.sleep(1_000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "chaos-supervisor");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static List<KillResult> results(List<CompletableFuture<KillResult>> kills) {
    List<KillResult> out = new ArrayList<>();
    for (CompletableFuture<KillResult> f : kills) {
      KillResult r = f.getNow(null);
      if (r != null) {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  private void track(ChaosSystem sys) {
    for (Service v : Service.values()) {
      if (sys.isAlive(v)) {
        pids.add(sys.pid(v));
      }
    }
  }

  private CompletableFuture<KillResult> kill(ChaosSystem sys, KillPlan.Kill k, long replayStart)
      throws InterruptedException {
    Service v = k.service();
    CompletableFuture<?> pending = recovering.get(v);
    if (pending != null) {
      await(pending);
    }
    double at = (System.nanoTime() - replayStart) / 1e9;
    if (v != Service.BROKER) {
      try {
        sys.awaitReady(v, s.startTimeout(), false);
      } catch (IllegalStateException e) {
        // not ready (exited or slow): the supervisor restarts what exited; kill whatever runs now
        log.warn("{} not ready before kill #{}: {}", v, k.index(), e.getMessage());
      }
    }
    long t = System.nanoTime();
    int rc;
    synchronized (sys) {
      rc = sys.kill(v);
      if (v != Service.BROKER) {
        sys.restart(v);
        track(sys);
      }
    }
    if (v == Service.TRAINER) {
      new Checkpoints(sys.trainerCheckpointDir(), 2)
          .loadNewest()
          .ifPresent(snap -> checkpointVersions.add(snap.modelVersion()));
    }
    out.printf(
        "kill #%d: %s at rating %,d (%.1f s), exit %d; restarted%n",
        k.index(), v, k.atRating(), at, rc);
    if (v == Service.BROKER) {
      try {
        sys.restart(v);
        track(sys);
        Duration d = Duration.ofNanos(System.nanoTime() - t);
        out.printf("  broker back after %.1f s%n", d.toMillis() / 1e3);
        return CompletableFuture.completedFuture(new KillResult(k, at, rc, d, null));
      } catch (RuntimeException e) {
        errors.add("broker restart: " + e.getMessage());
        return CompletableFuture.completedFuture(new KillResult(k, at, rc, null, e.getMessage()));
      }
    }
    CompletableFuture<KillResult> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                int before = sys.starts(v);
                sys.awaitReady(v, s.startTimeout(), false);
                Duration d = Duration.ofNanos(System.nanoTime() - t);
                String note =
                    sys.starts(v) > before ? "ready only after a supervisor restart" : null;
                out.printf(
                    "  %s ready again %.1f s after kill #%d%n", v, d.toMillis() / 1e3, k.index());
                return new KillResult(k, at, rc, d, note);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new KillResult(k, at, rc, null, "interrupted");
              } catch (RuntimeException e) {
                errors.add("restart after kill #" + k.index() + ": " + e.getMessage());
                return new KillResult(k, at, rc, null, e.getMessage());
              }
            });
    recovering.put(v, f);
    return f;
  }

  private static void await(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
