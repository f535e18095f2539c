package io.streamrec.ops.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.ops.eval.PrequentialScorer.Event;
import io.streamrec.ops.eval.PrequentialScorer.ServedList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrequentialReportTest {

  @Test
  void shouldHoldEveryFieldPerArmWhenResultsJsonIsWritten(@TempDir Path dir) throws Exception {
    List<Event> events =
        List.of(
            new Event("u", "a", 5, 10, 1_000),
            new Event("v", "b", 5, 11, 1_001),
            new Event("u", "b", 5, 30, 1_010),
            new Event("v", "a", 5, 31, 1_020));
    List<ServedList> lists =
        List.of(
            new ServedList("u", List.of("b"), 10L, 10L, 1_005),
            new ServedList("v", List.of("c"), 11L, null, 1_006),
            new ServedList("u", List.of("c"), 30L, 30L, 1_050));
    PrequentialScorer.Result online = PrequentialScorer.score(events, lists, 20, 4f, 10, 2);
    PrequentialReport.Result r =
        PrequentialReport.of(
            10,
            20,
            List.of(
                PrequentialReport.Arm.of("online", online, 1234.5),
                PrequentialReport.Arm.of(
                    "online-popularity", OnlinePopularity.score(events, 20, 4f, 10, 2), null)),
            List.of(
                new PrequentialReport.PacePoint(
                    500, PrequentialReport.Arm.of("online", online, 99.0))),
            new PrequentialReport.Run(
                42,
                Map.of("trainer.lr", "0.02"),
                "abc",
                "2026-12-03T11:00:00Z",
                Map.of("replay", 1.5)));
    ReportWriter.write(dir, "t", PrequentialReport.markdown(r), r, PrequentialReport.svg(r));
    JsonNode j = new ObjectMapper().readTree(Files.readString(dir.resolve("results.json")));
    JsonNode arm = j.get("arms").get(0);
    assertThat(arm.get("name").asText()).isEqualTo("online");
    for (String set : List.of("warmTrain", "warmPrior")) {
      for (String f : List.of("events", "unserved", "hitRate", "ndcg")) {
        assertThat(arm.get(set).has(f)).as(set + "." + f).isTrue();
      }
    }
    assertThat(arm.get("warmTrain").get("events").asInt()).isEqualTo(2);
    assertThat(arm.get("warmTrain").get("hitRate").asDouble())
        .isEqualTo(0.5); // u's [b] hits, v's [c] misses
    for (String clock : List.of("reaction", "model")) {
      for (String f : List.of("p50Ms", "p95Ms", "p99Ms")) {
        assertThat(arm.get("freshness").get(clock).has(f)).as(clock + "." + f).isTrue();
      }
    }
    assertThat(arm.get("freshness").get("reaction").get("p50Ms").asDouble()).isEqualTo(5.0);
    assertThat(arm.get("eventsPerSecond").asDouble()).isEqualTo(1234.5);
    assertThat(j.get("arms").get(1).get("name").asText()).isEqualTo("online-popularity");
    assertThat(j.get("paceSweep").get(0).get("maxLag").asLong()).isEqualTo(500);
    JsonNode run = j.get("run");
    assertThat(run.get("seed").asLong()).isEqualTo(42);
    assertThat(run.get("settings").get("trainer.lr").asText()).isEqualTo("0.02");
    assertThat(run.get("gitCommit").asText()).isEqualTo("abc");
    assertThat(run.get("startTime").asText()).isEqualTo("2026-12-03T11:00:00Z");
    assertThat(run.get("timings").get("replay").asDouble()).isEqualTo(1.5);
    String html = Files.readString(dir.resolve("results.html"));
    assertThat(html).contains("<svg").contains("Freshness").contains("against the achieved pace");
  }
}
