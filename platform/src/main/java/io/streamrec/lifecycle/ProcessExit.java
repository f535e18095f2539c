package io.streamrec.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exit-code contract of a StreamRec service process: 0 after a requested stop (SIGTERM,
 * SIGINT/Ctrl-C), non-zero after a fatal failure, never the JVM's 143/130 for a signal.
 *
 * <p>The main thread runs the service, waits on {@link #awaitStop}, closes it and ends with {@link
 * #exit(int)}. A signal starts the JVM's shutdown; the hook installed here opens the stop latch,
 * waits up to {@code grace} for the main thread to reach {@link #exit(int)}, and then halts the JVM
 * with the code the main thread chose (0 for a clean stop) or with {@link #EXIT_STOP_TIMEOUT} when
 * the service did not stop in time. The JVM's own signal status is never used. When the main thread
 * exits on its own (a fatal failure), the hook does nothing and the JVM exits with that code.
 */
public final class ProcessExit {
  /** A requested stop that completed. */
  public static final int EXIT_OK = 0;

  /** A fatal failure of the service. */
  public static final int EXIT_FAILED = 1;

  /** A usage or configuration error. */
  public static final int EXIT_USAGE = 2;

  /** A requested stop that did not complete within the grace period. */
  public static final int EXIT_STOP_TIMEOUT = 3;

  private static final Logger log = LoggerFactory.getLogger(ProcessExit.class);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch exited = new CountDownLatch(1);
  private final Duration grace;
  private final Thread hook;
  private volatile boolean exiting;
  private volatile int code = EXIT_OK;

  private ProcessExit(String name, Duration grace) {
    this.grace = grace;
    this.hook = new Thread(this::onSignal, name + "-shutdown");
  }

  /** Installs the shutdown hook; call once, early in {@code main}. */
  public static ProcessExit install(String name, Duration grace) {
    ProcessExit p = new ProcessExit(name, grace);
    Runtime.getRuntime().addShutdownHook(p.hook);
    return p;
  }

  /** Waits until a stop was requested; true when it was, false on timeout. */
  public boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
    return stop.await(timeout, unit);
  }

  /** Whether a stop was requested (a signal arrived). */
  public boolean stopRequested() {
    return stop.getCount() == 0;
  }

  /** The latch that a signal opens (for code that waits on a latch). */
  public CountDownLatch stopLatch() {
    return stop;
  }

  /**
   * Ends the process with {@code exitCode}; does not return. After a signal the hook halts the JVM
   * with this code; otherwise {@link System#exit} runs the other hooks and exits with it.
   */
  public void exit(int exitCode) {
    code = exitCode;
    exiting = !stopRequested();
    exited.countDown();
    System.exit(exitCode);
  }

  /**
   * The code a process ends with after a signal: the main thread's choice, or a timeout code when
   * it had none.
   */
  static int signalExitCode(boolean mainThreadExited, int mainThreadCode) {
    return mainThreadExited ? mainThreadCode : EXIT_STOP_TIMEOUT;
  }

  private void onSignal() {
    if (exiting) {
      return; // the main thread called exit(): the JVM exits with its code
    }
    log.info("Stop requested (signal); stopping within {}", grace);
    stop.countDown();
    boolean done;
    try {
      done = exited.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    int rc = signalExitCode(done, code);
    if (!done) {
      log.error("The service did not stop within {}; exiting {}", grace, rc);
    }
    Runtime.getRuntime().halt(rc);
  }
}
