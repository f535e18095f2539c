package io.streamrec.ops.demo;

import io.streamrec.ops.StreamRecCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The embedded broker as a child JVM ({@link ChildJvm}) with this JVM's classpath ({@link
 * BrokerMain}); its log goes to a file. Either temporary ({@link #start(Path)}) or on a kept data
 * directory and fixed ports ({@link #start(Path, Path, int, int)}), so that {@link #kill()} and a
 * new start on the same arguments is a broker crash and restart that clients ride through.
 */
public final class BrokerProcess implements AutoCloseable {
  private final ChildJvm child;
  private final String bootstrap;

  private BrokerProcess(ChildJvm child, String bootstrap) {
    this.child = child;
    this.bootstrap = bootstrap;
  }

  /**
   * A temporary broker on free ports; waits (up to 90 s) until it reports its bootstrap address.
   */
  public static BrokerProcess start(Path logFile) {
    return start(logFile, List.of());
  }

  /** A broker whose log lives in {@code dataDir}, listening on the given loopback ports. */
  public static BrokerProcess start(Path logFile, Path dataDir, int port, int controllerPort) {
    return start(
        logFile,
        List.of(
            "--data-dir",
            dataDir.toString(),
            "--port",
            Integer.toString(port),
            "--controller-port",
            Integer.toString(controllerPort)));
  }

  private static BrokerProcess start(Path logFile, List<String> args) {
    List<String> jvm =
        new ArrayList<>(
            List.of(
                "-Xmx768m",
                "-XX:+UseSerialGC",
                "-D" + StreamRecCli.VERBOSE_PROPERTY + "=" + StreamRecCli.verbose()));
    ChildJvm p =
        ChildJvm.start(
            new ChildJvm.Spec("broker", BrokerMain.class.getName(), jvm, args, Map.of(), logFile),
            true);
    BufferedReader r =
        new BufferedReader(
            new InputStreamReader(p.process().getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith(BrokerMain.READY)) {
                    return line.substring(BrokerMain.READY.length()).trim();
                  }
                }
                return null;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    String bootstrap;
    try {
      bootstrap = ready.get(90, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      bootstrap = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      bootstrap = null;
    }
    if (bootstrap == null) {
      p.kill();
      throw new IllegalStateException("The broker process did not start; see " + logFile);
    }
    return new BrokerProcess(p, bootstrap);
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public long pid() {
    return child.pid();
  }

  public boolean isAlive() {
    return child.isAlive();
  }

  /** SIGKILL (a crash: nothing is flushed or closed); returns the exit code. */
  public int kill() {
    return child.kill();
  }

  /** Closes the child's stdin (it shuts down cleanly), then waits up to 30 s before killing it. */
  @Override
  public void close() {
    try {
      child.process().getOutputStream().close();
      if (child.awaitExit(Duration.ofSeconds(30)) < 0 && child.isAlive()) {
        child.kill();
      }
    } catch (IOException e) {
      child.kill();
    }
    child.close();
  }
}
