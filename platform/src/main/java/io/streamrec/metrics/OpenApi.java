package io.streamrec.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builders for the OpenAPI 3.0 document behind {@code /openapi.json}: plain maps that Jackson
 * writes, so a route can describe itself in a few lines ({@link #get}).
 */
public final class OpenApi {
  /** The schema of every error body. */
  public static final String ERROR_REF = "#/components/schemas/Error";

  private OpenApi() {}

  /** The whole document around {@code paths}. */
  static Map<String, Object> document(Map<String, Object> paths) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    doc.put(
        "info",
        Map.of(
            "title",
            "StreamRec service HTTP API",
            "version",
            "1",
            "description",
            "Metrics, health and (on serving instances) recommendations. Every non-200 answer has an"
                + " Error body."));
    doc.put("paths", paths);
    doc.put(
        "components",
        Map.of(
            "schemas",
            Map.of(
                "Error",
                object(
                    Map.of(
                        "status", Map.of("type", "integer", "description", "the HTTP status code"),
                        "error",
                            Map.of(
                                "type", "string", "description", "what went wrong, for a person")),
                    List.of("status", "error")))));
    return doc;
  }

  /** The routes every service has. */
  static Map<String, Object> builtInPaths() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(
        "/metrics",
        get(
            "Prometheus metrics",
            "Prometheus text exposition format 0.0.4.",
            Map.of(),
            Map.of("200", text("the metrics")),
            List.of()));
    p.put(
        "/health/live",
        get(
            "Liveness",
            "200 while the process is alive and its service has not died, else 503.",
            Map.of(),
            Map.of("200", json("alive", statusObject()), "503", errorResponse("the service died")),
            List.of()));
    p.put(
        "/health/ready",
        get(
            "Readiness",
            "200 when this instance is ready to serve, otherwise 503.",
            Map.of(),
            Map.of("200", json("ready", statusObject()), "503", errorResponse("not ready")),
            List.of()));
    p.put(
        "/openapi.json",
        get(
            "This document",
            "The OpenAPI 3.0 description of this instance's routes.",
            Map.of(),
            Map.of("200", json("the document", Map.of("type", "object"))),
            List.of()));
    return p;
  }

  /**
   * A path item with one GET operation.
   *
   * @param responses status code to response object ({@link #json}, {@link #text}, {@link
   *     #errorResponse})
   * @param parameters parameter objects ({@link #parameter})
   */
  public static Map<String, Object> get(
      String summary,
      String description,
      Map<String, Object> extra,
      Map<String, Object> responses,
      List<Map<String, Object>> parameters) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("summary", summary);
    op.put("description", description);
    if (!parameters.isEmpty()) {
      op.put("parameters", parameters);
    }
    Map<String, Object> rs = new LinkedHashMap<>(responses);
    rs.putIfAbsent("404", errorResponse("unknown path"));
    op.put("responses", rs);
    op.putAll(extra);
    return Map.of("get", op);
  }

  /** A path or query parameter. */
  public static Map<String, Object> parameter(
      String name, String in, boolean required, Map<String, Object> schema, String description) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", name);
    p.put("in", in);
    p.put("required", required);
    p.put("schema", schema);
    p.put("description", description);
    return p;
  }

  /** A JSON response with this schema. */
  public static Map<String, Object> json(String description, Map<String, Object> schema) {
    return Map.of(
        "description",
        description,
        "content",
        Map.of("application/json", Map.of("schema", schema)));
  }

  /** A JSON error response. */
  public static Map<String, Object> errorResponse(String description) {
    return json(description, Map.of("$ref", ERROR_REF));
  }

  /** A plain-text response. */
  public static Map<String, Object> text(String description) {
    return Map.of(
        "description",
        description,
        "content",
        Map.of("text/plain", Map.of("schema", Map.of("type", "string"))));
  }

  /** An object schema. */
  public static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("type", "object");
    o.put("properties", properties);
    if (!required.isEmpty()) {
      o.put("required", required);
    }
    return o;
  }

  private static Map<String, Object> statusObject() {
    return object(Map.of("status", Map.of("type", "string")), List.of("status"));
  }
}
