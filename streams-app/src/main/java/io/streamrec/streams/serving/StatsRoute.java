package io.streamrec.streams.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.metrics.OpenApi;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code GET /stats}: a few of this instance's own meters as one small JSON object, for the live
 * page's plots (Prometheus scrapes {@code /metrics} instead). Counters and timer totals are
 * cumulative; a client turns two samples into rates and interval means ({@code Δlists / Δt}, {@code
 * ΔtotalMs / Δcount}), so the answer does not depend on when, or how often, anyone asks. Fields:
 *
 * <ul>
 *   <li>{@code timeMs}: this instance's wall clock; {@code state}: the Kafka Streams state.
 *   <li>{@code listsEmitted}: lists the topology emitted ({@code
 *       streamrec.serving.recommendations}, every trigger but HTTP); {@code httpAnswers}: lists
 *       computed for HTTP requests; {@code eventsReflected} and {@code coalescedEvents}: input
 *       events reflected in emitted lists, and those folded into a list together with an earlier
 *       event of the same user.
 *   <li>{@code inputLag}: records of the input topics not consumed yet, summed over this instance's
 *       partitions (Kafka's {@code records-lag} of the stream and global consumers; {@code null}
 *       before the first fetch).
 *   <li>{@code freshness} and {@code embeddingLag}: {@code {count, totalMs, maxMs}} of the timers
 *       {@code streamrec.serving.freshness} and {@code streamrec.serving.embedding.lag}.
 *   <li>{@code items}: items in the serving index.
 * </ul>
 */
final class StatsRoute implements HttpHandler, MetricsServer.Documented {
  static final String PATH = "/stats";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MeterRegistry registry;
  private final Supplier<KafkaStreams> streams;
  private final ItemMatrix items;
  private final LongSupplier clock;
  private final MetricsServer server;

  StatsRoute(
      final MeterRegistry registry,
      final Supplier<KafkaStreams> streams,
      final ItemMatrix items,
      final LongSupplier clock,
      final MetricsServer server) {
    this.registry = registry;
    this.streams = streams;
    this.items = items;
    this.clock = clock;
    this.server = server;
  }

  @Override
  public void handle(final HttpExchange ex) throws IOException {
    if (!PATH.equals(ex.getRequestURI().getPath())) {
      server.error(
          ex, 404, "no route for " + ex.getRequestURI().getPath() + " (routes: /openapi.json)");
      return;
    }
    if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Allow", "GET, HEAD");
      server.error(ex, 405, ex.getRequestMethod() + " is not supported on " + PATH + "; use GET");
      return;
    }
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    server.respond(ex, 200, "application/json", JSON.writeValueAsString(snapshot()));
  }

  /** The answer's fields (see the class comment). */
  Map<String, Object> snapshot() {
    final KafkaStreams s = streams.get();
    final Map<String, Object> out = new LinkedHashMap<>();
    out.put("timeMs", clock.getAsLong());
    out.put("state", s == null ? null : s.state().name());
    double emitted = 0;
    double http = 0;
    for (Counter c : registry.find("streamrec.serving.recommendations").counters()) {
      if ("HTTP".equals(c.getId().getTag("trigger"))) {
        http += c.count();
      } else {
        emitted += c.count();
      }
    }
    out.put("listsEmitted", (long) emitted);
    out.put("httpAnswers", (long) http);
    out.put("eventsReflected", (long) count("streamrec.serving.reflected.events"));
    out.put("coalescedEvents", (long) count("streamrec.serving.coalesced.events"));
    out.put("inputLag", s == null ? null : inputLag(s.metrics()));
    out.put("freshness", timer("streamrec.serving.freshness"));
    out.put("embeddingLag", timer("streamrec.serving.embedding.lag"));
    out.put("items", items.liveItems());
    return out;
  }

  /**
   * The sum of every partition's {@code records-lag} over the stream-thread and global consumers
   * (restore consumers excluded: restoring is not input); {@code null} while no partition has
   * reported one.
   */
  static Long inputLag(final Map<MetricName, ? extends Metric> metrics) {
    long sum = 0;
    boolean any = false;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      final MetricName n = e.getKey();
      if (!"records-lag".equals(n.name())
          || !"consumer-fetch-manager-metrics".equals(n.group())
          || !n.tags().containsKey("partition")
          || n.tags().getOrDefault("client-id", "").contains("restore-consumer")) {
        continue;
      }
      if (e.getValue().metricValue() instanceof Number v && Double.isFinite(v.doubleValue())) {
        sum += Math.max(0, Math.round(v.doubleValue()));
        any = true;
      }
    }
    return any ? sum : null;
  }

  private double count(final String name) {
    double sum = 0;
    for (Counter c : registry.find(name).counters()) {
      sum += c.count();
    }
    return sum;
  }

  private Map<String, Object> timer(final String name) {
    long count = 0;
    double total = 0;
    double max = 0;
    for (Timer t : registry.find(name).timers()) {
      count += t.count();
      total += t.totalTime(TimeUnit.MILLISECONDS);
      max = Math.max(max, t.max(TimeUnit.MILLISECONDS));
    }
    final Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", count);
    m.put("totalMs", total);
    m.put("maxMs", max);
    return m;
  }

  @Override
  public Map<String, Object> openApiPaths() {
    final Map<String, Object> timer =
        OpenApi.object(
            Map.of(
                "count", Map.of("type", "integer", "format", "int64"),
                "totalMs", Map.of("type", "number", "description", "sum of all recorded spans, ms"),
                "maxMs",
                    Map.of(
                        "type",
                        "number",
                        "description",
                        "largest span in the timer's recent window, ms")),
            List.of("count", "totalMs", "maxMs"));
    final Map<String, Object> p = new LinkedHashMap<>();
    p.put("timeMs", Map.of("type", "integer", "format", "int64", "description", "epoch ms"));
    p.put(
        "state", Map.of("type", "string", "nullable", true, "description", "Kafka Streams state"));
    p.put(
        "listsEmitted",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "description",
            "lists the topology emitted (cumulative)"));
    p.put(
        "httpAnswers",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "description",
            "lists computed for HTTP requests (cumulative)"));
    p.put(
        "eventsReflected",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "description",
            "input events reflected in emitted lists (cumulative)"));
    p.put(
        "coalescedEvents",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "description",
            "input events folded into a list with an earlier event of the same user (cumulative)"));
    p.put(
        "inputLag",
        Map.of(
            "type",
            "integer",
            "format",
            "int64",
            "nullable",
            true,
            "description",
            "records of the input topics not consumed yet on this instance"));
    p.put("freshness", timer);
    p.put("embeddingLag", timer);
    p.put("items", Map.of("type", "integer", "description", "items in the serving index"));
    return Map.of(
        PATH,
        OpenApi.get(
            "Live counters for the page at /",
            "Cumulative counters and timer totals of this instance; two samples give rates and interval means.",
            Map.of(),
            Map.of(
                "200",
                OpenApi.json(
                    "the counters",
                    OpenApi.object(
                        p,
                        List.of(
                            "timeMs",
                            "listsEmitted",
                            "httpAnswers",
                            "eventsReflected",
                            "coalescedEvents",
                            "freshness",
                            "embeddingLag",
                            "items")))),
            List.of()));
  }
}
