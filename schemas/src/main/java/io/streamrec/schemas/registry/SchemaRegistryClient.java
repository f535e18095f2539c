package io.streamrec.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The two calls of the Confluent Schema Registry REST API that Avro framing needs, on the JDK's
 * HTTP client: {@code POST /subjects/{subject}/versions} (register a schema, or look up the id of
 * one already registered) and {@code GET /schemas/ids/{id}} (the writer schema of a payload).
 * Confluent's registry, Karapace and Apicurio Registry (under {@code /apis/ccompat/v7}) serve them;
 * {@code baseUrl} is everything before {@code /subjects}. Answers are cached for the life of the
 * client (ids are immutable in every registry), so each schema costs one call per process.
 * Thread-safe.
 *
 * <p>Failures: a 4xx answer (unknown id, invalid or incompatible schema) throws {@link
 * SerializationException} with the registry's status and message, a (de)serialization error of the
 * record at hand; an unreachable registry or a 5xx answer throws {@link
 * RegistryUnavailableException} (retriable), because the record itself is fine.
 */
public final class SchemaRegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Map<String, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

  private final URI base;
  private final Duration timeout;
  private final HttpClient http;
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

  public SchemaRegistryClient(String baseUrl, Duration timeout) {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("schema registry URL must be set");
    }
    String b = baseUrl.trim();
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new IllegalArgumentException(
          "schema registry URL must be http(s)://..., was " + baseUrl);
    }
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** One client (and cache) per URL in this JVM, as the serializers of one process share it. */
  public static SchemaRegistryClient shared(String baseUrl) {
    return SHARED.computeIfAbsent(
        baseUrl.trim(), u -> new SchemaRegistryClient(u, Duration.ofSeconds(10)));
  }

  /**
   * The registry's id of {@code schema} under {@code subject}, registering it first when it is new
   * there.
   */
  public int register(String subject, Schema schema) {
    String key = subject + '\u0000' + schema.toString();
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
    } catch (IOException e) {
      throw new SerializationException(
          "Cannot encode schema " + schema.getFullName() + " for the registry", e);
    }
    JsonNode answer =
        call(
            HttpRequest.newBuilder(resolve("subjects/" + segment(subject) + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)),
            "register " + schema.getFullName() + " under subject " + subject);
    if (!answer.path("id").canConvertToInt()) {
      throw new SerializationException(
          "Schema registry "
              + base
              + " answered registration of subject "
              + subject
              + " without an id: "
              + answer);
    }
    int id = answer.get("id").asInt();
    ids.put(key, id);
    schemas.putIfAbsent(id, schema);
    return id;
  }

  /** The schema with registry id {@code id}. */
  public Schema byId(int id) {
    Schema cached = schemas.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer =
        call(HttpRequest.newBuilder(resolve("schemas/ids/" + id)).GET(), "fetch schema id " + id);
    String text = answer.path("schema").asText(null);
    if (text == null) {
      throw new SerializationException(
          "Schema registry " + base + " answered schema id " + id + " without a schema: " + answer);
    }
    Schema s;
    try {
      s = new Schema.Parser().parse(text);
    } catch (RuntimeException e) {
      throw new SerializationException(
          "Schema id " + id + " from " + base + " is not an Avro schema: " + e, e);
    }
    Schema prev = schemas.putIfAbsent(id, s);
    return prev == null ? s : prev;
  }

  /** The base URL (ends with {@code /}). */
  public URI baseUrl() {
    return base;
  }

  private JsonNode call(HttpRequest.Builder request, String what) {
    HttpResponse<String> resp;
    try {
      resp =
          http.send(
              request
                  .timeout(timeout)
                  .header("Accept", CONTENT_TYPE + ", application/json")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RegistryUnavailableException(
          "Cannot " + what + ": schema registry " + base + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("Interrupted while trying to " + what, e);
    }
    JsonNode body;
    try {
      body =
          resp.body() == null || resp.body().isBlank()
              ? JSON.nullNode()
              : JSON.readTree(resp.body());
    } catch (IOException e) {
      body = JSON.getNodeFactory().textNode(resp.body());
    }
    if (resp.statusCode() / 100 != 2) {
      String msg = body.path("message").asText(body.isTextual() ? body.asText() : body.toString());
      if (resp.statusCode() >= 500) {
        throw new RegistryUnavailableException(
            "Cannot "
                + what
                + ": schema registry "
                + base
                + " answered "
                + resp.statusCode()
                + ": "
                + msg);
      }
      throw new SerializationException(
          "Cannot "
              + what
              + ": schema registry "
              + base
              + " answered "
              + resp.statusCode()
              + (body.has("error_code") ? " (error_code " + body.get("error_code") + ")" : "")
              + ": "
              + msg);
    }
    return body;
  }

  private URI resolve(String path) {
    return base.resolve(path);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
