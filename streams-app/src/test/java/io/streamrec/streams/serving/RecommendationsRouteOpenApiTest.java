package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.metrics.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The recommendations route in {@code /openapi.json}, and the JSON 404 around it on a serving
 * endpoint.
 */
class RecommendationsRouteOpenApiTest {

  @Test
  void shouldDescribeTheRecommendationsRouteAndAnswerUnknownPathsWithJson() throws Exception {
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, MetricsServer.newRegistry())) {
      // the description does not touch the runtime; the route is never called here
      server.route(RecommendationsRoute.PATH, new RecommendationsRoute(null, null, null, server));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      JsonNode doc =
          new ObjectMapper()
              .readTree(
                  http.send(
                          HttpRequest.newBuilder(URI.create(base + "/openapi.json")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
      JsonNode get = doc.at("/paths/~1recommendations~1{userId}/get");
      assertThat(get.isMissingNode()).isFalse();
      assertThat(get.at("/responses/200/content/application~1json/schema/properties").fieldNames())
          .toIterable()
          .contains("userId", "items", "modelVersion", "fallback");
      assertThat(get.get("responses").fieldNames())
          .toIterable()
          .contains("400", "404", "405", "503");
      assertThat(get.get("parameters").findValuesAsText("name")).containsExactly("userId", "k");

      HttpResponse<String> notFound =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/recommendations")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(notFound.statusCode()).isEqualTo(404);
      assertThat(new ObjectMapper().readTree(notFound.body()).get("status").asInt()).isEqualTo(404);
    }
  }
}
