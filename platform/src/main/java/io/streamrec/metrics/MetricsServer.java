package io.streamrec.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint every StreamRec service exposes, on the JDK's {@link HttpServer}: {@code GET
 * /metrics} (Prometheus text format), {@code GET /health/live} (200 while the liveness check
 * passes, else 503: the process is alive and its service has not died; a supervisor restarts it on
 * 503), {@code GET /health/ready} (200 when the readiness check passes, else 503: the service can
 * do its work now, e.g. its Kafka clients run and the broker and its input topics are there; a load
 * balancer stops routing on 503) and {@code GET /openapi.json} (an OpenAPI 3.0 description of every
 * route this instance serves). Services add their own routes with {@link #route}; a route that
 * implements {@link Documented} adds its paths to {@code /openapi.json}. Port 0 picks a free port
 * ({@link #port()} tells which).
 *
 * <p>Every status other than 200 has a JSON body {@code {"status": <code>, "error": "<message>"}}
 * ({@link #error}): an unknown path is 404, a method other than GET/HEAD on the built-in routes 405
 * (with {@code Allow}), a handler that throws 500.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();

  /** A route that describes itself for {@code /openapi.json}. */
  public interface Documented {
    /**
     * OpenAPI 3.0 path items by path, e.g. {@code "/recommendations/{userId}" -> {"get": {...}}}.
     */
    Map<String, Object> openApiPaths();
  }

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final Map<String, Object> documentedPaths = new TreeMap<>();
  private volatile BooleanSupplier ready = () -> true;
  private volatile BooleanSupplier live = () -> true;
  private volatile HttpHandler home;

  private MetricsServer(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  /** Binds {@code host:port} and starts serving on a small thread pool. */
  public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
      MetricsServer ms = new MetricsServer(registry, server);
      ms.builtIn(
          "/metrics",
          ex -> ms.respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      ms.builtIn(
          "/health/live",
          ex -> {
            if (ms.live.getAsBoolean()) {
              ms.respond(ex, 200, "application/json", "{\"status\":\"UP\"}");
            } else {
              ms.error(ex, 503, "not live");
            }
          });
      ms.builtIn(
          "/health/ready",
          ex -> {
            if (ms.ready.getAsBoolean()) {
              ms.respond(ex, 200, "application/json", "{\"status\":\"READY\"}");
            } else {
              ms.error(ex, 503, "not ready");
            }
          });
      ms.builtIn("/openapi.json", ex -> ms.respond(ex, 200, "application/json", ms.openApi()));
      server.createContext(
          "/",
          ms.guarded(
              ex -> {
                HttpHandler h = ms.home;
                if (h != null && "/".equals(ex.getRequestURI().getPath())) {
                  h.handle(ex);
                } else {
                  ms.error(
                      ex,
                      404,
                      "no route for " + ex.getRequestURI().getPath() + " (routes: /openapi.json)");
                }
              }));
      server.setExecutor(
          Executors.newFixedThreadPool(
              2,
              r -> {
                Thread t = new Thread(r, "metrics-http");
                t.setDaemon(true);
                return t;
              }));
      server.start();
      log.info(
          "HTTP endpoint on {}:{} (/metrics, /health/live, /health/ready, /openapi.json)",
          host,
          ms.port());
      return ms;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind HTTP endpoint " + host + ":" + port, e);
    }
  }

  /**
   * A fresh Prometheus registry with JVM/process metrics, build info and histogram timers ({@link
   * StandardMeters}).
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    StandardMeters.install(registry);
    return registry;
  }

  /** Sets the readiness check behind {@code /health/ready}. */
  public MetricsServer readiness(BooleanSupplier check) {
    this.ready = check;
    return this;
  }

  /**
   * Sets the liveness check behind {@code /health/live} (default: always live while the endpoint
   * answers).
   */
  public MetricsServer liveness(BooleanSupplier check) {
    this.live = check;
    return this;
  }

  /**
   * Adds a route (for example the serving topology's {@code /recommendations/}). Exceptions it
   * throws become a JSON 500; a {@link Documented} handler's paths appear in {@code /openapi.json}.
   */
  public MetricsServer route(String pathPrefix, HttpHandler handler) {
    server.createContext(pathPrefix, guarded(handler));
    if (handler instanceof Documented d) {
      synchronized (documentedPaths) {
        documentedPaths.putAll(d.openApiPaths());
      }
    }
    return this;
  }

  /** Serves {@code GET /} (exactly that path; anything else unknown stays a JSON 404). */
  public MetricsServer home(HttpHandler handler) {
    this.home = handler;
    if (handler instanceof Documented d) {
      synchronized (documentedPaths) {
        documentedPaths.putAll(d.openApiPaths());
      }
    }
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Writes a complete response; used by routes too. */
  public void respond(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }

  /**
   * Writes the JSON error body {@code {"status": status, "error": message}}; used by routes too.
   */
  public void error(HttpExchange ex, int status, String message) throws IOException {
    respond(ex, status, "application/json", errorJson(status, message));
  }

  /** The JSON error body every StreamRec HTTP error has. */
  public static String errorJson(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("error", message);
    try {
      return COMPACT.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The OpenAPI 3.0 document of this instance: the built-in routes plus every {@link Documented}
   * route.
   */
  public String openApi() {
    Map<String, Object> paths = new TreeMap<>(OpenApi.builtInPaths());
    synchronized (documentedPaths) {
      paths.putAll(documentedPaths);
    }
    try {
      return JSON.writeValueAsString(OpenApi.document(paths));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A built-in GET route on exactly {@code path}: other methods get 405, longer paths 404. */
  private void builtIn(String path, HttpHandler handler) {
    server.createContext(
        path,
        guarded(
            ex -> {
              if (!path.equals(ex.getRequestURI().getPath())) {
                error(
                    ex,
                    404,
                    "no route for " + ex.getRequestURI().getPath() + " (routes: /openapi.json)");
              } else if (!"GET".equals(ex.getRequestMethod())
                  && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                error(
                    ex, 405, ex.getRequestMethod() + " is not supported on " + path + "; use GET");
              } else {
                handler.handle(ex);
              }
            }));
  }

  /**
   * Turns an exception escaping {@code handler} into a JSON 500 (when nothing was sent yet) and a
   * WARN.
   */
  private HttpHandler guarded(HttpHandler handler) {
    return ex -> {
      try {
        handler.handle(ex);
      } catch (IOException e) {
        // the client went away mid-answer (a probe that timed out): nothing to fix on this side
        log.debug("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
      } catch (RuntimeException e) {
        log.warn("{} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
        if (ex.getResponseCode() == -1) {
          try {
            error(ex, 500, e.toString());
          } catch (IOException ignored) {
            // the client went away; nothing more to tell it
          }
        }
      } finally {
        ex.close();
      }
    };
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
