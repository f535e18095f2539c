package io.streamrec.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link ProcessExitTest}: {@code ProcessExitChild hook|nohook|fail}. Prints {@code
 * STARTED}, then waits for a signal ({@code hook}, {@code nohook}) or fails at once with code 7
 * ({@code fail}).
 */
public final class ProcessExitChild {
  private ProcessExitChild() {}

  public static void main(String[] args) throws InterruptedException {
    String mode = args[0];
    if (mode.equals("nohook")) {
      System.out.println("STARTED");
      System.out.flush();
      Thread.sleep(60_000);
      return;
    }
    ProcessExit exit = ProcessExit.install("child", Duration.ofSeconds(10));
    System.out.println("STARTED");
    System.out.flush();
    if (mode.equals("fail")) {
      exit.exit(7);
    }
    while (!exit.awaitStop(100, TimeUnit.MILLISECONDS)) {
      // a service would run here
    }
    Thread.sleep(200); // a clean close takes a moment
    exit.exit(ProcessExit.EXIT_OK);
  }
}
