package io.streamrec.ops.demo;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another main class ({@code OrphanGuard <main class> [args...]}) and exits ({@link
 * System#exit}, so the service's shutdown hooks run) when its stdin reaches EOF, that is when the
 * parent that started it through {@link ChildJvm} is gone, even after a SIGKILL of the parent (no
 * shutdown hook of the parent runs then). An EOF that comes with a SIGTERM (a clean stop) leaves
 * the service's own shutdown alone. The wrapped service keeps its own exit codes and shutdown
 * behaviour.
 */
public final class OrphanGuard {
  /** Exit code when the parent disappeared. */
  public static final int ORPHANED = 3;

  private static final long GRACE_MS = 5_000;
  private static volatile boolean shuttingDown;

  private OrphanGuard() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: OrphanGuard <main class> [args...]");
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> shuttingDown = true, "orphan-guard-flag"));
    Thread watch =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // the parent never writes; EOF means it is gone
                }
              } catch (IOException e) {
                // stdin broken: treat as gone
              }
              try {
                Thread.sleep(GRACE_MS);
              } catch (InterruptedException e) {
                return;
              }
              if (!shuttingDown) {
                System.exit(ORPHANED);
              }
            },
            "orphan-guard");
    watch.setDaemon(true);
    watch.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
