package io.streamrec.metrics;

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
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint every StreamRec service exposes, on the JDK's {@link HttpServer}:
 * {@code GET /metrics} (Prometheus text format), {@code GET /health/live} (200 while the liveness check passes, else
 * 503: the process is alive and its service has not died; a supervisor restarts it on 503) and
 * {@code GET /health/ready} (200 when the readiness check passes, else 503: the service can do its work now, e.g.
 * its Kafka clients run and the broker and its input topics are there; a load balancer stops routing on 503). Services add their own routes with
 * {@link #route}. Port 0 picks a free port ({@link #port()} tells which).
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private volatile BooleanSupplier ready = () -> true;
  private volatile BooleanSupplier live = () -> true;

  private MetricsServer(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  /** Binds {@code host:port} and starts serving on a small thread pool. */
  public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
      MetricsServer ms = new MetricsServer(registry, server);
      server.createContext("/metrics", ex -> ms.respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      server.createContext("/health/live", ex -> {
        boolean ok = ms.live.getAsBoolean();
        ms.respond(ex, ok ? 200 : 503, "text/plain", ok ? "UP\n" : "DOWN\n");
      });
      server.createContext("/health/ready", ex -> {
        boolean ok = ms.ready.getAsBoolean();
        ms.respond(ex, ok ? 200 : 503, "text/plain", ok ? "READY\n" : "NOT READY\n");
      });
      server.setExecutor(Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "metrics-http");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      log.info("HTTP endpoint on {}:{} (/metrics, /health/live, /health/ready)", host, ms.port());
      return ms;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind HTTP endpoint " + host + ":" + port, e);
    }
  }

  /** A fresh Prometheus registry. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Sets the readiness check behind {@code /health/ready}. */
  public MetricsServer readiness(BooleanSupplier check) {
    this.ready = check;
    return this;
  }

  /** Sets the liveness check behind {@code /health/live} (default: always live while the endpoint answers). */
  public MetricsServer liveness(BooleanSupplier check) {
    this.live = check;
    return this;
  }

  /** Adds a route (for example the serving topology's {@code /recommendations/}). */
  public MetricsServer route(String pathPrefix, HttpHandler handler) {
    server.createContext(pathPrefix, handler);
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Writes a complete response; used by routes too. */
  public void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
