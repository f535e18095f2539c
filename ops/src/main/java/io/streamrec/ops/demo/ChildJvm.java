package io.streamrec.ops.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One StreamRec service (broker, {@code StreamsMain}, {@code TrainerMain}, ...) as a child JVM on
 * this JVM's classpath, with stdout and stderr appended to a log file.
 *
 * <p>{@link #kill()} is a crash: {@link Process#destroyForcibly()}, SIGKILL on Linux, no shutdown
 * hook runs. {@link #stop(Duration)} is a clean stop: SIGTERM, then SIGKILL after the grace period.
 * Every child started here is also registered with a shutdown hook of this JVM that kills whatever
 * is still alive, so a failing test or an interrupted command never leaves a service running;
 * {@link #alive()} lists what is still running.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);
  private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildJvm::killAll, "child-jvm-reaper"));
  }

  /**
   * What to start.
   *
   * @param name short name for logs ({@code broker}, {@code streams-app}, {@code trainer})
   * @param mainClass fully qualified main class
   * @param jvmArgs JVM options ({@code -Xmx...}, {@code -D...})
   * @param args program arguments
   * @param env extra environment variables (on top of this JVM's)
   * @param logFile stdout and stderr are appended here
   */
  public record Spec(
      String name,
      String mainClass,
      List<String> jvmArgs,
      List<String> args,
      Map<String, String> env,
      Path logFile) {
    public Spec {
      jvmArgs = List.copyOf(jvmArgs);
      args = List.copyOf(args);
      env = Map.copyOf(env);
    }
  }

  private final Spec spec;
  private final Process process;

  private ChildJvm(Spec spec, Process process) {
    this.spec = spec;
    this.process = process;
  }

  /**
   * The command line {@link #start} runs: this JVM's {@code java}, its classpath, then the spec.
   */
  public static List<String> command(Spec spec) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(spec.jvmArgs());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(spec.mainClass());
    cmd.addAll(spec.args());
    return cmd;
  }

  /**
   * Starts the child; its stdout is piped (read it with {@link #process()}) when {@code
   * pipeStdout}.
   */
  public static ChildJvm start(Spec spec, boolean pipeStdout) {
    try {
      Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
      ProcessBuilder pb =
          new ProcessBuilder(command(spec))
              .redirectError(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()));
      if (!pipeStdout) {
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()));
      }
      pb.environment().putAll(spec.env());
      ChildJvm child = new ChildJvm(spec, pb.start());
      LIVE.add(child);
      log.info("Started {} (pid {}), log {}", spec.name(), child.pid(), spec.logFile());
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + spec.name(), e);
    }
  }

  public Spec spec() {
    return spec;
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, then waits until the process is gone; returns its exit code (137 on Linux). */
  public int kill() {
    process.destroyForcibly();
    int rc = awaitExit(Duration.ofSeconds(30));
    LIVE.remove(this);
    log.info("Killed {} (pid {}): exit {}", spec.name(), pid(), rc);
    return rc;
  }

  /**
   * SIGTERM, waits up to {@code grace} for a clean exit, then SIGKILL; returns the exit code (-1
   * when it could not be reaped).
   */
  public int stop(Duration grace) {
    // ProcessHandle.destroy sends SIGTERM only; Process.destroy would also close the child's stdin,
    // which
    // OrphanGuard reads as "the parent is gone"
    process.toHandle().destroy();
    int rc = awaitExit(grace);
    if (process.isAlive()) {
      log.warn("{} (pid {}) did not stop within {}; killing it", spec.name(), pid(), grace);
      process.destroyForcibly();
      rc = awaitExit(Duration.ofSeconds(30));
    }
    LIVE.remove(this);
    log.info("Stopped {} (pid {}): exit {}", spec.name(), pid(), rc);
    return rc;
  }

  /**
   * Waits up to {@code timeout} for the process to end; its exit code, or -1 while it still runs.
   */
  public int awaitExit(Duration timeout) {
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Stops the child if it still runs (SIGTERM, 30 s grace). */
  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(30));
    }
    LIVE.remove(this);
  }

  /** Children started by this JVM that are still running. */
  public static List<ChildJvm> alive() {
    return LIVE.stream().filter(ChildJvm::isAlive).toList();
  }

  /**
   * SIGKILLs every child of this JVM that is still running (the shutdown hook's job; tests call it
   * too).
   */
  public static void killAll() {
    for (ChildJvm c : List.copyOf(LIVE)) {
      if (c.isAlive()) {
        c.process.destroyForcibly();
      }
      LIVE.remove(c);
    }
  }

  @Override
  public String toString() {
    return spec.name() + "(pid " + process.pid() + (process.isAlive() ? ", alive)" : ", exited)");
  }
}
