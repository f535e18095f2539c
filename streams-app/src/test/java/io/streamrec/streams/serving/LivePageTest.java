package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.Trigger;
import io.streamrec.metrics.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live page at {@code /}, its {@code /stats} counters and the item titles, without Kafka. */
class LivePageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldServeThePageAtTheRootAndDescribeItInOpenApi() throws Exception {
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, MetricsServer.newRegistry())) {
      server.home(new LivePage(server));
      server.route(
          StatsRoute.PATH,
          new StatsRoute(
              new SimpleMeterRegistry(), () -> null, new ItemMatrix(0), () -> 42L, server));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> page = get(http, base + "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
      assertThat(page.body())
          .contains("<title>StreamRec live</title>", "/recommendations/", "/stats");
      assertThat(get(http, base + "/index.html").statusCode()).isEqualTo(404);
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(JSON.readTree(post.body()).get("status").asInt()).isEqualTo(405);

      JsonNode doc = JSON.readTree(get(http, base + "/openapi.json").body());
      assertThat(doc.at("/paths/~1/get/responses/200/content").fieldNames())
          .toIterable()
          .containsExactly("text/html");
      assertThat(
              doc.at("/paths/~1stats/get/responses/200/content/application~1json/schema/properties")
                  .fieldNames())
          .toIterable()
          .contains("listsEmitted", "inputLag", "freshness", "embeddingLag");

      JsonNode stats = JSON.readTree(get(http, base + "/stats").body());
      assertThat(stats.get("timeMs").asLong()).isEqualTo(42L);
      assertThat(stats.get("state").isNull()).isTrue();
      assertThat(stats.get("inputLag").isNull()).isTrue();
      assertThat(get(http, base + "/stats/x").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void shouldLoadNothingFromOutsideTheInstance() {
    String html = LivePage.load();
    // one static resource: no external script, stylesheet, font, image or frame, and no absolute
    // URL fetched
    assertThat(html).doesNotContain("<script src", "<link", "@import", "url(", "<img", "<iframe");
    assertThat(html.replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http://", "https://");
  }

  @Test
  void shouldSumCountersAndTimersAndSkipRestoreConsumerLag() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServingMetrics metrics = new ServingMetrics(registry);
    metrics.emitted(Trigger.INTERACTION, false);
    metrics.emitted(Trigger.INTERACTION, true);
    metrics.emitted(null, false);
    metrics.coalesced(3);
    metrics.freshness(10_000, 4_000, 9_000L);
    metrics.freshness(10_000, 8_000, null);
    StatsRoute route = new StatsRoute(registry, () -> null, new ItemMatrix(0), () -> 7L, null);
    Map<String, Object> s = route.snapshot();
    assertThat(s)
        .containsEntry("listsEmitted", 2L)
        .containsEntry("httpAnswers", 1L)
        .containsEntry("eventsReflected", 3L)
        .containsEntry("coalescedEvents", 2L);
    @SuppressWarnings("unchecked")
    Map<String, Object> freshness = (Map<String, Object>) s.get("freshness");
    assertThat(freshness).containsEntry("count", 2L);
    assertThat((double) freshness.get("totalMs")).isEqualTo(8_000.0);
    assertThat(
            registry.find("streamrec.serving.freshness").timer().totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(8_000.0);
    @SuppressWarnings("unchecked")
    Map<String, Object> lag = (Map<String, Object>) s.get("embeddingLag");
    assertThat(lag).containsEntry("count", 1L);

    Map<MetricName, Metric> m = new LinkedHashMap<>();
    put(m, "records-lag", "app-StreamThread-1-consumer", "0", 5.0);
    put(m, "records-lag", "app-StreamThread-1-consumer", "1", 7.4);
    put(m, "records-lag", "app-global-consumer", "0", 3.0);
    put(m, "records-lag", "app-StreamThread-1-restore-consumer", "0", 1000.0);
    put(m, "records-lag", "app-StreamThread-1-consumer", "2", Double.NaN);
    put(m, "records-lag-max", "app-StreamThread-1-consumer", null, 99.0);
    assertThat(StatsRoute.inputLag(m)).isEqualTo(15L);
    assertThat(StatsRoute.inputLag(Map.of())).isNull();
  }

  @Test
  void shouldReadTitlesFromUItemAndFailOnAFolderWithoutIt(@TempDir Path dir) throws Exception {
    Files.write(
        dir.resolve("u.item"),
        List.of(
            "1|Toy Story (1995)|01-Jan-1995||http://x|0|0",
            "2|Caf\u00e9 au lait (1994)|01-Jan-1994||http://y|0",
            "",
            "3||x",
            "bad line"),
        StandardCharsets.ISO_8859_1);
    ItemTitles titles = ItemTitles.load(dir);
    assertThat(titles.title("1")).isEqualTo("Toy Story (1995)");
    assertThat(titles.title("2")).isEqualTo("Caf\u00e9 au lait (1994)");
    assertThat(titles.title("3")).isNull();
    assertThat(titles.size()).isEqualTo(2);
    assertThat(ItemTitles.load(null)).isSameAs(ItemTitles.NONE);
    assertThat(ItemTitles.NONE.title("1")).isNull();
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> ItemTitles.load(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serving.movielens.dir=" + empty)
        .hasMessageContaining("u.item");
  }

  @Test
  void shouldPutTitlesIntoTheRecommendationsJson(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("u.item"), List.of("7|Seven (1995)|x"), StandardCharsets.ISO_8859_1);
    ItemTitles titles = ItemTitles.load(dir);
    ServedList list =
        new ServedList(
            "u1",
            new String[] {"7", "8"},
            new float[] {2f, 1f},
            3L,
            100L,
            null,
            null,
            false,
            90L,
            80L,
            0);
    JsonNode withNone = JSON.readTree(RecommendationsRoute.toJson(list, "h:1"));
    assertThat(withNone.at("/items/0/title").isMissingNode()).isTrue();
    JsonNode with = JSON.readTree(RecommendationsRoute.toJson(list, "h:1", titles));
    assertThat(with.at("/items/0/title").asText()).isEqualTo("Seven (1995)");
    assertThat(with.at("/items/1/title").isMissingNode()).isTrue();
    assertThat(with.at("/items/1/itemId").asText()).isEqualTo("8");
  }

  private static void put(
      Map<MetricName, Metric> m, String name, String client, String partition, double value) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("client-id", client);
    if (partition != null) {
      tags.put("topic", "t");
      tags.put("partition", partition);
    }
    MetricName n = new MetricName(name, "consumer-fetch-manager-metrics", "", tags);
    m.put(
        n,
        new Metric() {
          @Override
          public MetricName metricName() {
            return n;
          }

          @Override
          public Object metricValue() {
            return value;
          }
        });
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
