package io.streamrec.ops.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The embedded broker as a child JVM with this JVM's classpath ({@link BrokerMain}); its log goes to a file. */
public final class BrokerProcess implements AutoCloseable {
  private final Process process;
  private final String bootstrap;

  private BrokerProcess(Process process, String bootstrap) {
    this.process = process;
    this.bootstrap = bootstrap;
  }

  /** Starts the child and waits (up to 90 s) until it reports its bootstrap address. */
  public static BrokerProcess start(Path logFile) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx768m", "-XX:+UseSerialGC",
        "-D" + io.streamrec.ops.StreamRecCli.VERBOSE_PROPERTY + "=" + io.streamrec.ops.StreamRecCli.verbose(), "-cp",
        System.getProperty("java.class.path"), BrokerMain.class.getName()))
        .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    try {
      Process p = pb.start();
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
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
      }
      if (bootstrap == null) {
        p.destroyForcibly();
        throw new IllegalStateException("The broker process did not start; see " + logFile);
      }
      return new BrokerProcess(p, bootstrap);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the broker process", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  /** Closes the child's stdin (it shuts down cleanly), then waits up to 30 s before killing it. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
