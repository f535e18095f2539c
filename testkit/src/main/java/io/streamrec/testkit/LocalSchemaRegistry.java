package io.streamrec.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A small HTTP server with the part of the Confluent Schema Registry REST API that Avro framing
 * uses, for tests where no real registry runs (Confluent's is not on Maven Central, Apicurio's
 * needs a Quarkus build, and there is no Docker here): {@code POST /subjects/{subject}/versions}
 * (registers, or returns the id of, a schema; one global id per distinct schema, as Confluent
 * assigns them; invalid Avro is 422 / error_code 42201) and {@code GET /schemas/ids/{id}} (404 /
 * 40403 for an unknown id). Errors have Confluent's body {@code {"error_code": N, "message":
 * "..."}}. {@link #requests()} counts calls, so tests can check caching.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private int nextId = 1;

  private LocalSchemaRegistry(HttpServer server) {
    this.server = server;
  }

  /** Starts on a free loopback port. */
  public static LocalSchemaRegistry start() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      LocalSchemaRegistry r = new LocalSchemaRegistry(s);
      s.createContext("/", r::handle);
      s.start();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL for {@code schema.registry.url}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** HTTP requests answered so far. */
  public int requests() {
    return requests.get();
  }

  /** Subjects and the ids registered under each, in order. */
  public synchronized Map<String, List<Integer>> subjects() {
    Map<String, List<Integer>> copy = new LinkedHashMap<>();
    subjects.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return copy;
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String[] parts = path.substring(1).split("/");
      if ("POST".equals(ex.getRequestMethod())
          && parts.length == 3
          && parts[0].equals("subjects")
          && parts[2].equals("versions")) {
        register(ex, URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
      } else if ("GET".equals(ex.getRequestMethod())
          && parts.length == 3
          && parts[0].equals("schemas")
          && parts[1].equals("ids")) {
        byId(ex, parts[2]);
      } else {
        send(ex, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
      }
    }
  }

  private void register(HttpExchange ex, String subject) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody());
    String text = body.path("schema").asText(null);
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text);
    } catch (RuntimeException e) {
      send(ex, 422, Map.of("error_code", 42201, "message", "Invalid schema: " + e.getMessage()));
      return;
    }
    int id;
    synchronized (this) {
      String canonical = SchemaNormalization.toParsingForm(schema);
      Integer known = idsByCanonical.get(canonical);
      if (known == null) {
        known = nextId++;
        idsByCanonical.put(canonical, known);
        schemasById.put(known, schema.toString());
      }
      id = known;
      List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
      if (!versions.contains(id)) {
        versions.add(id);
      }
    }
    send(ex, 200, Map.of("id", id));
  }

  private void byId(HttpExchange ex, String raw) throws IOException {
    String schema;
    synchronized (this) {
      try {
        schema = schemasById.get(Integer.parseInt(raw));
      } catch (NumberFormatException e) {
        schema = null;
      }
    }
    if (schema == null) {
      send(ex, 404, Map.of("error_code", 40403, "message", "Schema " + raw + " not found"));
    } else {
      send(ex, 200, Map.of("schema", schema));
    }
  }

  private static void send(HttpExchange ex, int status, Map<String, Object> body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
