package io.streamrec.streams.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.metrics.OpenApi;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /recommendations/{userId}?k=10}: the user's current list as JSON, computed on the
 * instance that owns the user's partition (Kafka Streams interactive queries); another instance
 * proxies the call to the owner's {@code application.server}. Status codes: 200 with the list (a
 * user without an embedding, including an unknown user, gets the popularity fallback with {@code
 * "fallback": true}); 400 when {@code k} is not an integer in {@code [1, serving.max.k]} or the
 * path has no user; 405 for a method other than GET; 503 while the service is not RUNNING or the
 * owner cannot be reached / is rebalancing. Every error has the JSON body {@code {"status": <code>,
 * "error": "<message>"}} ({@link MetricsServer#error}); the route describes itself in {@code
 * /openapi.json} ({@link #openApiPaths()}).
 */
final class RecommendationsRoute implements HttpHandler, MetricsServer.Documented {
  static final String PATH = "/recommendations/";
  private static final Logger log = LoggerFactory.getLogger(RecommendationsRoute.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServingDependencies deps;
  private final KafkaStreams streams;
  private final HostInfo self;
  private final MetricsServer server;
  private final ItemTitles titles;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  RecommendationsRoute(
      final ServingDependencies deps,
      final KafkaStreams streams,
      final HostInfo self,
      final MetricsServer server) {
    this(deps, streams, self, server, ItemTitles.NONE);
  }

  RecommendationsRoute(
      final ServingDependencies deps,
      final KafkaStreams streams,
      final HostInfo self,
      final MetricsServer server,
      final ItemTitles titles) {
    this.deps = deps;
    this.streams = streams;
    this.self = self;
    this.server = server;
    this.titles = titles;
  }

  @Override
  public void handle(final HttpExchange ex) throws IOException {
    try {
      if (!"GET".equals(ex.getRequestMethod())) {
        error(ex, 405, "only GET is supported");
        return;
      }
      final String raw = ex.getRequestURI().getRawPath().substring(PATH.length());
      final String user = URLDecoder.decode(raw, StandardCharsets.UTF_8);
      if (user.isEmpty() || user.contains("/")) {
        error(ex, 400, "expected /recommendations/{userId}");
        return;
      }
      final Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      final int maxK = deps.config().maxK();
      final int k;
      try {
        k = query.containsKey("k") ? Integer.parseInt(query.get("k")) : deps.config().defaultK();
      } catch (NumberFormatException e) {
        error(ex, 400, "k must be an integer in [1, " + maxK + "], was '" + query.get("k") + "'");
        return;
      }
      if (k < 1 || k > maxK) {
        error(ex, 400, "k must be an integer in [1, " + maxK + "], was " + k);
        return;
      }
      if (streams.state() != KafkaStreams.State.RUNNING) {
        error(ex, 503, "serving is " + streams.state() + ", not RUNNING");
        return;
      }
      final KeyQueryMetadata meta =
          streams.queryMetadataForKey(
              ServingNames.USER_EMBEDDING_STORE, user, Serdes.String().serializer());
      if (meta == null || meta.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
        error(ex, 503, "no instance owns user " + user + " right now");
        return;
      }
      if (meta.activeHost().equals(self) || query.containsKey("proxied")) {
        local(ex, user, k, meta.partition());
      } else {
        proxy(ex, meta.activeHost(), raw, k);
      }
    } catch (InvalidStateStoreException e) {
      error(ex, 503, "state store not queryable (rebalancing): " + e.getMessage());
    } catch (RuntimeException e) {
      log.warn("GET {} failed", ex.getRequestURI(), e);
      error(ex, 500, e.toString());
    }
  }

  private void local(final HttpExchange ex, final String user, final int k, final int partition)
      throws IOException {
    final ReadOnlyKeyValueStore<String, UserVector> users =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                    ServingNames.USER_EMBEDDING_STORE,
                    QueryableStoreTypes.<String, UserVector>keyValueStore())
                .withPartition(partition));
    final ReadOnlyKeyValueStore<String, UserHistory> histories =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                    ServingNames.USER_HISTORY_STORE,
                    QueryableStoreTypes.<String, UserHistory>keyValueStore())
                .withPartition(partition));
    final ServedList list =
        deps.recommender()
            .recommend(
                user,
                users.get(user),
                histories.get(user),
                k,
                null,
                null,
                0,
                deps.clock().millis(),
                new ItemSearch.Scratch());
    server.respond(
        ex, 200, "application/json", toJson(list, self.host() + ":" + self.port(), titles));
  }

  private void proxy(final HttpExchange ex, final HostInfo owner, final String rawUser, final int k)
      throws IOException {
    final URI uri =
        URI.create(
            "http://"
                + owner.host()
                + ":"
                + owner.port()
                + PATH
                + rawUser
                + "?k="
                + k
                + "&proxied=true");
    try {
      final HttpResponse<String> resp =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      server.respond(ex, resp.statusCode(), "application/json", resp.body());
    } catch (IOException e) {
      error(ex, 503, "owner " + owner + " unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(ex, 503, "interrupted while proxying to " + owner);
    }
  }

  /** The JSON body of one list, without titles. */
  static String toJson(final ServedList r, final String servedBy) throws IOException {
    return toJson(r, servedBy, ItemTitles.NONE);
  }

  /**
   * The JSON body of one list; an item with a title in {@code titles} gets a {@code title} field.
   */
  static String toJson(final ServedList r, final String servedBy, final ItemTitles titles)
      throws IOException {
    final Map<String, Object> out = new LinkedHashMap<>();
    out.put("userId", r.userId());
    final List<Map<String, Object>> items = new ArrayList<>(r.itemIds().length);
    for (int i = 0; i < r.itemIds().length; i++) {
      final Map<String, Object> m = new LinkedHashMap<>();
      m.put("itemId", r.itemIds()[i]);
      m.put("score", r.scores()[i]);
      final String title = titles.title(r.itemIds()[i]);
      if (title != null) {
        m.put("title", title);
      }
      items.add(m);
    }
    out.put("items", items);
    out.put("modelVersion", r.modelVersion());
    out.put("fallback", r.fallback());
    out.put("generatedAt", r.generatedAtMs());
    out.put("userEventTime", r.userEventTimeMs());
    out.put("embeddingEventTime", r.embeddingEventTimeMs());
    out.put("servedBy", servedBy);
    return JSON.writeValueAsString(out);
  }

  private void error(final HttpExchange ex, final int status, final String message)
      throws IOException {
    if (status == 405) {
      ex.getResponseHeaders().set("Allow", "GET");
    }
    server.error(ex, status, message);
  }

  @Override
  public Map<String, Object> openApiPaths() {
    final Map<String, Object> item = new LinkedHashMap<>();
    item.put("itemId", Map.of("type", "string"));
    item.put("score", Map.of("type", "number", "format", "float"));
    item.put(
        "title",
        Map.of(
            "type",
            "string",
            "description",
            "the item's title, when serving.movielens.dir names a folder with u.item that lists it"));
    final Map<String, Object> list = new LinkedHashMap<>();
    list.put("userId", Map.of("type", "string"));
    list.put(
        "items",
        Map.of("type", "array", "items", OpenApi.object(item, List.of("itemId", "score"))));
    list.put(
        "modelVersion",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "description",
            "version of the item embeddings the list was scored with"));
    list.put(
        "fallback",
        Map.of("type", "boolean", "description", "true: popularity list (no user embedding yet)"));
    list.put(
        "generatedAt",
        Map.of("type", "integer", "format", "int64", "description", "epoch milliseconds"));
    list.put(
        "userEventTime",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "nullable",
            true,
            "description",
            "event time (epoch ms) of the user's newest rating seen"));
    list.put(
        "embeddingEventTime",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "nullable",
            true,
            "description",
            "event time (epoch ms) the user's embedding was trained up to"));
    list.put(
        "servedBy",
        Map.of("type", "string", "description", "host:port of the instance that scored the list"));
    final Map<String, Object> responses = new LinkedHashMap<>();
    responses.put(
        "200",
        OpenApi.json(
            "the user's current list",
            OpenApi.object(
                list,
                List.of(
                    "userId", "items", "modelVersion", "fallback", "generatedAt", "servedBy"))));
    responses.put("400", OpenApi.errorResponse("k out of range or no user in the path"));
    responses.put("405", OpenApi.errorResponse("a method other than GET"));
    responses.put(
        "503",
        OpenApi.errorResponse("not RUNNING, rebalancing, or the owning instance is unreachable"));
    return Map.of(
        PATH + "{userId}",
        OpenApi.get(
            "Top-K recommendations for a user",
            "Computed on the instance that owns the user's partition; other instances proxy the call.",
            Map.of(),
            responses,
            List.of(
                OpenApi.parameter("userId", "path", true, Map.of("type", "string"), "the user id"),
                OpenApi.parameter(
                    "k",
                    "query",
                    false,
                    Map.of(
                        "type",
                        "integer",
                        "minimum",
                        1,
                        "description",
                        "default serving.default.k, at most serving.max.k"),
                    "list length"))));
  }

  private static Map<String, String> query(final String raw) {
    final Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      final int eq = part.indexOf('=');
      final String key =
          URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      out.put(key, eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  /** A user id as one URL path segment. */
  static String encode(final String user) {
    return URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
