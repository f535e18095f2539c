package io.streamrec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  @Test
  void shouldServePrometheusTextAndHealth() throws Exception {
    var registry = MetricsServer.newRegistry();
    Counter.builder("streamrec.test.things").tag("reason", "x").register(registry).increment(3);
    AtomicBoolean ready = new AtomicBoolean(false);
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, registry).readiness(ready::get)) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      var metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("streamrec_test_things_total{reason=\"x\"} 3.0");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(503);
      ready.set(true);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      assertThat(HealthProbe.check(base + "/health/ready")).isTrue();
      ready.set(false);
      assertThat(HealthProbe.check(base + "/health/ready")).isFalse();
    }
    assertThat(HealthProbe.check("http://127.0.0.1:1/health/ready")).isFalse();
  }

  @Test
  void shouldAnswerLivenessWhenReadinessFails() throws Exception {
    AtomicBoolean live = new AtomicBoolean(true);
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, MetricsServer.newRegistry())
            .readiness(() -> false)
            .liveness(live::get)) {
      String base = "http://127.0.0.1:" + server.port();
      assertThat(HealthProbe.check(base + "/health/live")).as("live while not ready").isTrue();
      live.set(false);
      assertThat(HealthProbe.check(base + "/health/live")).isFalse();
    }
  }

  @Test
  void shouldNotBeReadyWhenTheBrokerIsUnreachable() {
    try (KafkaReadiness r =
        KafkaReadiness.start("127.0.0.1:1", Map.of(), List.of("t"), Duration.ofMillis(500))) {
      assertThat(r.check().ready()).isFalse();
      assertThat(r.status().detail()).startsWith("broker unreachable");
      assertThat(r.getAsBoolean()).isFalse();
    }
  }

  private static HttpResponse<String> send(HttpClient http, String method, String url)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode errorBody(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode n = new ObjectMapper().readTree(r.body());
    assertThat(n.get("status").asInt()).isEqualTo(status);
    assertThat(n.get("error").asText()).isNotBlank();
    return n;
  }

  @Test
  void shouldAnswerEveryErrorStatusWithAJsonBody() throws Exception {
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, MetricsServer.newRegistry()).readiness(() -> false)) {
      server.route(
          "/boom/",
          ex -> {
            throw new IllegalStateException("kaput");
          });
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      assertThat(errorBody(send(http, "GET", base + "/no/such/path"), 404).get("error").asText())
          .contains("/no/such/path");
      errorBody(send(http, "GET", base + "/"), 404);
      errorBody(send(http, "GET", base + "/metrics/extra"), 404);
      HttpResponse<String> post = send(http, "POST", base + "/metrics");
      errorBody(post, 405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
      errorBody(send(http, "GET", base + "/health/ready"), 503);
      assertThat(errorBody(send(http, "GET", base + "/boom/x"), 500).get("error").asText())
          .contains("kaput");
      assertThat(send(http, "HEAD", base + "/health/live").statusCode()).isEqualTo(200);
    }
  }

  /** A route that documents itself. */
  static final class Hello implements HttpHandler, MetricsServer.Documented {
    @Override
    public void handle(HttpExchange ex) throws IOException {
      ex.sendResponseHeaders(204, -1);
    }

    @Override
    public Map<String, Object> openApiPaths() {
      return Map.of(
          "/hello/{name}",
          OpenApi.get(
              "Say hello",
              "Greets.",
              Map.of(),
              Map.of("204", Map.of("description", "greeted")),
              List.of(OpenApi.parameter("name", "path", true, Map.of("type", "string"), "who"))));
    }
  }

  @Test
  void shouldDescribeEveryRouteInOpenApi() throws Exception {
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, MetricsServer.newRegistry())) {
      server.route("/hello/", new Hello());
      HttpResponse<String> r =
          send(
              HttpClient.newHttpClient(),
              "GET",
              "http://127.0.0.1:" + server.port() + "/openapi.json");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode doc = new ObjectMapper().readTree(r.body());
      assertThat(doc.get("openapi").asText()).startsWith("3.0");
      assertThat(doc.get("info").get("title").asText()).isNotBlank();
      assertThat(doc.get("paths").fieldNames())
          .toIterable()
          .contains("/metrics", "/health/live", "/health/ready", "/openapi.json", "/hello/{name}");
      // every operation has responses, each error response refers to the shared Error schema, which
      // exists
      doc.get("paths")
          .forEach(
              item ->
                  item.forEach(
                      op -> {
                        assertThat(op.get("responses")).isNotNull();
                        op.get("responses")
                            .properties()
                            .forEach(
                                e -> {
                                  if (e.getKey().startsWith("4") || e.getKey().startsWith("5")) {
                                    assertThat(
                                            e.getValue()
                                                .at("/content/application~1json/schema/$ref")
                                                .asText())
                                        .isEqualTo(OpenApi.ERROR_REF);
                                  }
                                });
                      }));
      assertThat(doc.at("/components/schemas/Error/required").toString())
          .contains("status")
          .contains("error");
      assertThat(doc.at("/paths/~1hello~1{name}/get/parameters/0/in").asText()).isEqualTo("path");
    }
  }

  @Test
  void shouldPublishTimersAsHistogramsPlusJvmProcessAndBuildInfo() {
    var registry = MetricsServer.newRegistry();
    Timer t =
        Timer.builder("streamrec.test.topk.latency")
            .tag("path", "exact")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    t.record(Duration.ofMillis(2));
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("streamrec_test_topk_latency_seconds_bucket{path=\"exact\",le=\"")
        .contains("streamrec_test_topk_latency_seconds_count{path=\"exact\"} 1")
        .doesNotContain("streamrec_test_topk_latency_seconds{path=\"exact\",quantile=");
    assertThat(scrape)
        .contains("jvm_memory_used_bytes")
        .contains("jvm_gc_")
        .contains("jvm_threads_live_threads")
        .contains("process_cpu_usage")
        .contains("process_uptime_seconds")
        .contains("system_cpu_count");
    assertThat(scrape)
        .containsPattern("streamrec_build_info\\{[^}]*version=\"[^\"]+\"[^}]*} 1(\\.0)?\n");
    assertThat(StandardMeters.version()).isNotBlank();
  }
}
