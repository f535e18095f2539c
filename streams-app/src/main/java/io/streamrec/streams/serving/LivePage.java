package io.streamrec.streams.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.metrics.OpenApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /}: the live page, one static HTML resource ({@code live.html} beside this class) with
 * its script and styles inline, so nothing is fetched from anywhere but this instance. The page
 * polls {@code /recommendations/{userId}} and {@link StatsRoute /stats} and draws the list, its
 * provenance and small plots; query parameters {@code user}, {@code k} and {@code every} (poll
 * period, ms) preset it.
 */
final class LivePage implements HttpHandler, MetricsServer.Documented {
  static final String RESOURCE = "live.html";

  private final String html;
  private final MetricsServer server;

  LivePage(final MetricsServer server) {
    this.server = server;
    this.html = load();
  }

  static String load() {
    try (InputStream in = LivePage.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing classpath resource " + RESOURCE + " beside " + LivePage.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void handle(final HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Allow", "GET, HEAD");
      server.error(ex, 405, ex.getRequestMethod() + " is not supported on /; use GET");
      return;
    }
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    server.respond(ex, 200, "text/html; charset=utf-8", html);
  }

  @Override
  public Map<String, Object> openApiPaths() {
    return Map.of(
        "/",
        OpenApi.get(
            "Live page",
            "An HTML page that shows a user's current top-K (titles when serving.movielens.dir is set), the list's"
                + " model version and freshness, and live plots of throughput, input lag and freshness. It polls"
                + " /recommendations/{userId} and /stats; nothing is loaded from elsewhere.",
            Map.of(),
            Map.of(
                "200",
                Map.of(
                    "description",
                    "the page",
                    "content",
                    Map.of("text/html", Map.of("schema", Map.of("type", "string")))),
                "405",
                OpenApi.errorResponse("a method other than GET or HEAD")),
            List.of(
                OpenApi.parameter(
                    "user",
                    "query",
                    false,
                    Map.of("type", "string"),
                    "the user shown first (default 1)"),
                OpenApi.parameter(
                    "k",
                    "query",
                    false,
                    Map.of("type", "integer", "minimum", 1),
                    "list length (10)"),
                OpenApi.parameter(
                    "every",
                    "query",
                    false,
                    Map.of("type", "integer", "minimum", 200),
                    "poll period in ms (1000)"))));
  }
}
