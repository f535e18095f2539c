package io.streamrec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  @Test
  void shouldServePrometheusTextAndHealth() throws Exception {
    var registry = MetricsServer.newRegistry();
    Counter.builder("streamrec.test.things").tag("reason", "x").register(registry).increment(3);
    AtomicBoolean ready = new AtomicBoolean(false);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry).readiness(ready::get)) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      var metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("streamrec_test_things_total{reason=\"x\"} 3.0");
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(HealthProbe.check(base + "/health/ready")).isTrue();
      ready.set(false);
      assertThat(HealthProbe.check(base + "/health/ready")).isFalse();
    }
    assertThat(HealthProbe.check("http://127.0.0.1:1/health/ready")).isFalse();
  }

  @Test
  void livenessIsItsOwnCheck() throws Exception {
    AtomicBoolean live = new AtomicBoolean(true);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, MetricsServer.newRegistry())
        .readiness(() -> false).liveness(live::get)) {
      String base = "http://127.0.0.1:" + server.port();
      assertThat(HealthProbe.check(base + "/health/live")).as("live while not ready").isTrue();
      live.set(false);
      assertThat(HealthProbe.check(base + "/health/live")).isFalse();
    }
  }

  @Test
  void kafkaReadinessIsFalseWhileTheBrokerIsUnreachable() {
    try (KafkaReadiness r = KafkaReadiness.start("127.0.0.1:1", java.util.Map.of(), java.util.List.of("t"),
        java.time.Duration.ofMillis(500))) {
      assertThat(r.check().ready()).isFalse();
      assertThat(r.status().detail()).startsWith("broker unreachable");
      assertThat(r.getAsBoolean()).isFalse();
    }
  }
}
