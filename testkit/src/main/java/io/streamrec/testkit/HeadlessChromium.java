package io.streamrec.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium for page tests, driven over the Chrome DevTools Protocol with the JDK's own
 * HTTP and WebSocket clients (no WebDriver, nothing downloaded). The browser is Debian's {@code
 * chromium} package: the {@value #PROPERTY} system property, else {@code STREAMREC_CHROMIUM}, else
 * {@code chromium} / {@code chromium-browser} / {@code google-chrome} on the {@code PATH}. {@link
 * #startOrSkip} skips the test (JUnit assumption, with a message saying how to install it) where
 * none is found.
 *
 * <p>Usage: {@code try (var b = HeadlessChromium.startOrSkip(dir)) { b.navigate(url);
 * b.evaluate("document.title"); }}. The browser runs with its own profile in {@code dir}; its log
 * goes to {@code dir/chromium.log}.
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final String PROPERTY = "streamrec.chromium";
  public static final String ENV = "STREAMREC_CHROMIUM";
  private static final List<String> NAMES =
      List.of("chromium", "chromium-browser", "google-chrome");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** The browser executable, or {@code null} when none is installed. */
  public static Path find() {
    String configured = System.getProperty(PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENV);
    }
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? p : null;
    }
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
      for (String name : NAMES) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /**
   * Starts a headless browser on a blank page, or skips the calling test when no Chromium is
   * installed.
   */
  public static HeadlessChromium startOrSkip(Path dir) throws IOException, InterruptedException {
    Path exe = find();
    Assumptions.assumeTrue(
        exe != null,
        () ->
            "Headless Chromium not found (install Debian's package: apt-get install"
                + " -y chromium, or set -D"
                + PROPERTY
                + "=/path/to/chromium or "
                + ENV
                + "); skipping this page test");
    return start(exe, dir);
  }

  /** Starts {@code exe} headless with a fresh profile under {@code dir}. */
  public static HeadlessChromium start(Path exe, Path dir)
      throws IOException, InterruptedException {
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                exe.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--window-size=1280,900",
                "--user-data-dir=" + profile,
                "about:blank"));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromium.log").toFile())
            .start();
    try {
      // Chromium writes the port it picked (first line) into the profile once DevTools listens.
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int port = -1;
      while (port < 0) {
        if (!p.isAlive()) {
          throw new IOException(
              "Chromium exited with "
                  + p.exitValue()
                  + " before DevTools listened; see "
                  + dir.resolve("chromium.log"));
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "Chromium did not open DevTools within 30 s; see " + dir.resolve("chromium.log"));
        }
        List<String> lines = Files.exists(portFile) ? Files.readAllLines(portFile) : List.of();
        if (!lines.isEmpty() && !lines.get(0).isBlank()) {
          port = Integer.parseInt(lines.get(0).trim());
        } else {
          Thread.sleep(100);
        }
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      JsonNode targets =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                          .timeout(Duration.ofSeconds(10))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      String ws = null;
      for (JsonNode t : targets) {
        if ("page".equals(t.path("type").asText())) {
          ws = t.path("webSocketDebuggerUrl").asText();
          break;
        }
      }
      if (ws == null) {
        throw new IOException("Chromium has no page target: " + targets);
      }
      Listener listener = new Listener();
      WebSocket socket =
          http.newWebSocketBuilder().buildAsync(URI.create(ws), listener).get(10, TimeUnit.SECONDS);
      HeadlessChromium browser = new HeadlessChromium(p, socket);
      listener.browser = browser;
      browser.call("Page.enable", JSON.createObjectNode());
      browser.call("Runtime.enable", JSON.createObjectNode());
      return browser;
    } catch (IOException | InterruptedException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IOException("Cannot connect to Chromium's DevTools: " + e, e);
    }
  }

  /**
   * Opens {@code url} in the page and waits until its load event (scripts may keep running
   * afterwards).
   */
  public void navigate(String url) throws IOException {
    ObjectNode params = JSON.createObjectNode().put("url", url);
    JsonNode r = call("Page.navigate", params);
    if (r.hasNonNull("errorText")) {
      throw new IOException("Cannot load " + url + ": " + r.get("errorText").asText());
    }
    long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    while (!"complete".equals(evaluate("document.readyState").asText())) {
      if (System.nanoTime() > deadline) {
        throw new IOException(url + " did not finish loading within " + CALL_TIMEOUT);
      }
      sleep(100);
    }
  }

  /**
   * The value of a JavaScript expression in the page (returned by value, as JSON; a promise is
   * awaited).
   *
   * @throws IOException when the expression throws
   */
  public JsonNode evaluate(String expression) throws IOException {
    ObjectNode params =
        JSON.createObjectNode()
            .put("expression", expression)
            .put("returnByValue", true)
            .put("awaitPromise", true);
    JsonNode r = call("Runtime.evaluate", params);
    if (r.has("exceptionDetails")) {
      throw new IOException("JavaScript failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** A PNG screenshot of the page as shown (the window is 1280 x 900). */
  public void screenshot(Path png) throws IOException {
    JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
    Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
  }

  /** Sends one DevTools command and waits for its result. */
  public JsonNode call(String method, ObjectNode params) throws IOException {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params);
    try {
      socket
          .sendText(JSON.writeValueAsString(msg), true)
          .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode answer = f.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (answer.has("error")) {
        throw new IOException(method + " failed: " + answer.get("error"));
      }
      return answer.path("result");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during " + method, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(method + " got no answer from Chromium: " + e, e);
    } finally {
      pending.remove(id);
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the browser is stopped below either way
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Collects text frames into messages and completes the waiting call with the answer of the same
   * id.
   */
  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder buffer = new StringBuilder();
    volatile HeadlessChromium browser;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String text = buffer.toString();
        buffer.setLength(0);
        try {
          JsonNode msg = JSON.readTree(text.getBytes(StandardCharsets.UTF_8));
          HeadlessChromium b = browser;
          if (msg.has("id") && b != null) {
            CompletableFuture<JsonNode> f = b.pending.get(msg.get("id").asInt());
            if (f != null) {
              f.complete(msg);
            }
          }
        } catch (IOException e) {
          // not JSON: DevTools only sends JSON, so nothing to route
        }
      }
      ws.request(1);
      return null;
    }
  }
}
