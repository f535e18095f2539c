package io.streamrec.ops.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.ops.chaos.ChaosReport.ServingCheck;
import io.streamrec.ops.chaos.ChaosReport.TrainerCheck;
import io.streamrec.ops.chaos.ChaosSystem.Service;
import io.streamrec.schemas.Topics;
import io.streamrec.trainer.Checkpoints;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The audits of a {@link ChaosScenario} after its replay: ingest accounted for every rating, the
 * trainer's checkpoint covers every committed example with versions that never decrease, serving
 * caught up and answers personalised lists without seen items. Each finding that is not as it
 * should be is added to {@code errors}.
 */
final class ChaosChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChaosScenario.Settings s;
  private final PrintStream out;
  private final List<String> errors;
  private final List<Long> checkpointVersions;

  ChaosChecks(
      ChaosScenario.Settings s,
      PrintStream out,
      List<String> errors,
      List<Long> checkpointVersions) {
    this.s = s;
    this.out = out;
    this.errors = errors;
    this.checkpointVersions = checkpointVersions;
  }

  /**
   * Reads the examples and ingest dead-letter topics until every replayed rating is accounted for
   * and nothing new arrived for a few seconds (later duplicates would still show), or until the
   * catch-up timeout.
   */
  void catchUp(ChaosSystem sys, Set<String> expected, TopicAudit.IngestOutcome ingest) {
    long deadline = System.nanoTime() + s.catchUpTimeout().toNanos();
    long quietSince = System.nanoTime();
    long lastPrint = 0;
    try (TopicAudit a = new TopicAudit(sys.bootstrap())) {
      a.assignFromBeginning(
          List.of(
              Topics.TRAINING_EXAMPLES.withSuffix(sys.suffix()).name(),
              Topics.DLQ_INGEST.withSuffix(sys.suffix()).name()));
      while (true) {
        long before = ingest.exampleRecords() + ingest.deadLetterRecords();
        TopicAudit.ingestOutcome(a, sys.suffix(), ingest, Duration.ofMillis(500));
        long now = System.nanoTime();
        if (ingest.exampleRecords() + ingest.deadLetterRecords() != before) {
          quietSince = now;
        }
        boolean all = ingest.lost(expected) == 0;
        if (all && now - quietSince > 3_000_000_000L) {
          return;
        }
        if (now - lastPrint > 5_000_000_000L) {
          out.printf(
              "  audit: %,d examples + %,d dead letters of %,d ratings%n",
              ingest.exampleRecords(), ingest.deadLetterRecords(), expected.size());
          lastPrint = now;
        }
        if (now > deadline) {
          errors.add(
              "ingest did not account for every rating within "
                  + s.catchUpTimeout()
                  + " ("
                  + ingest.lost(expected)
                  + " missing; streams-app alive: "
                  + sys.isAlive(Service.STREAMS_APP)
                  + ")");
          return;
        }
      }
    }
  }

  /**
   * Waits until the trainer has consumed everything (its {@code streamrec_trainer_input_lag} gauge
   * is 0), stops it cleanly, and checks its newest checkpoint against the committed examples and
   * the embedding topics.
   */
  TrainerCheck trainerCheck(ChaosSystem sys, TopicAudit.IngestOutcome ingest)
      throws InterruptedException {
    long deadline = System.nanoTime() + s.catchUpTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      OptionalDoubleValue lag = gauge(sys.trainerHttpPort(), "streamrec_trainer_input_lag");
      OptionalDoubleValue examples =
          gauge(sys.trainerHttpPort(), "streamrec_trainer_examples_total");
      if (lag.present && lag.value == 0 && examples.present && examples.value > 0) {
        break;
      }
      Thread.sleep(500);
    }
    // let the last batch be trained and published before the clean stop writes the final checkpoint
    Thread.sleep(2_000);
    int rc = sys.stop(Service.TRAINER, Duration.ofSeconds(60));
    Checkpoints.Snapshot snap =
        new Checkpoints(sys.trainerCheckpointDir(), 2).loadNewest().orElse(null);
    long trained = -1;
    boolean covers = false;
    if (snap != null) {
      checkpointVersions.add(snap.modelVersion());
      trained = snap.examplesTrained();
      String topic = Topics.TRAINING_EXAMPLES.withSuffix(sys.suffix()).name();
      covers = true;
      for (Map.Entry<Integer, Long> e : ingest.nextExampleOffsets().entrySet()) {
        Long at = snap.offsets().get(topic + ":" + e.getKey());
        if (at == null || at < e.getValue()) {
          covers = false;
          errors.add(
              "trainer checkpoint offset for "
                  + topic
                  + ":"
                  + e.getKey()
                  + " is "
                  + at
                  + ", the last committed example is at "
                  + (e.getValue() - 1));
        }
      }
    } else {
      errors.add("no trainer checkpoint in " + sys.trainerCheckpointDir());
    }
    boolean monotonic = true;
    for (int i = 1; i < checkpointVersions.size(); i++) {
      if (checkpointVersions.get(i) < checkpointVersions.get(i - 1)) {
        monotonic = false;
      }
    }
    TopicAudit.VersionCheck vc =
        TopicAudit.versions(sys.bootstrap(), sys.suffix(), Duration.ofSeconds(60));
    return new TrainerCheck(
        trained,
        covers,
        List.copyOf(checkpointVersions),
        monotonic,
        vc.rows(),
        vc.decreases(),
        vc.firstDecrease(),
        rc);
  }

  /**
   * Asks serving for each user's list (retrying 503s while it restores) and checks it is
   * personalised and unseen.
   */
  ServingCheck servingCheck(
      ChaosSystem sys, List<String> users, Map<String, Set<String>> seen, Duration up)
      throws InterruptedException {
    int answered = 0;
    int personalised = 0;
    int seenServed = 0;
    List<String> failures = new ArrayList<>();
    // one bound for the whole check: 503s while restoring are retried, a dead service is not waited
    // for
    long deadline = System.nanoTime() + 60_000_000_000L;
    for (String u : users) {
      ServiceHttp.Answer a = null;
      while (System.nanoTime() < deadline && sys.isAlive(Service.STREAMS_APP)) {
        a = sys.recommendations(u, "10");
        // a fallback list is retried too: serving may still be applying the last embeddings
        if (a.status() == 200 && !a.body().contains("\"fallback\":true")) {
          break;
        }
        Thread.sleep(250);
      }
      if (a == null || a.status() != 200) {
        if (failures.size() < 5) {
          failures.add(
              "user "
                  + u
                  + ": "
                  + (a == null ? "no answer" : a.status() + " " + a.body())
                  + (sys.isAlive(Service.STREAMS_APP)
                      ? ""
                      : " (streams-app exited with "
                          + sys.exitCode(Service.STREAMS_APP).orElse(-1)
                          + ")"));
        }
        continue;
      }
      try {
        JsonNode n = JSON.readTree(a.body());
        JsonNode items = n.path("items");
        if (items.size() > 0) {
          answered++;
        }
        if (!n.path("fallback").asBoolean(true)) {
          personalised++;
        } else if (failures.size() < 5) {
          failures.add("user " + u + ": fallback list");
        }
        for (JsonNode i : items) {
          if (seen.getOrDefault(u, Set.of()).contains(i.path("itemId").asText())) {
            seenServed++;
          }
        }
      } catch (IOException e) {
        failures.add("user " + u + ": unparsable " + a.body());
      }
    }
    return new ServingCheck(
        up, users.size(), answered, personalised, seenServed, List.copyOf(failures));
  }

  /**
   * Waits until the serving application's committed offsets on the examples and user-embeddings
   * topics are at their ends (at most one short: a transactional topic ends with a commit marker)
   * and stayed there for 2 s, bounded by the catch-up timeout. Serving consumes what ingest and the
   * trainer wrote after the audit saw it.
   */
  void awaitServingCaughtUp(ChaosSystem sys) throws InterruptedException {
    String group = "streamrec-serving" + sys.suffix();
    List<String> topics =
        List.of(
            Topics.TRAINING_EXAMPLES.withSuffix(sys.suffix()).name(),
            Topics.USER_EMBEDDINGS.withSuffix(sys.suffix()).name());
    long deadline = System.nanoTime() + s.catchUpTimeout().toNanos();
    long caughtSince = -1;
    long lag = -1;
    try (Admin admin =
        Admin.create(ClientProperties.admin(sys.bootstrap(), "streamrec-chaos-serving-lag"))) {
      while (System.nanoTime() < deadline && sys.isAlive(Service.STREAMS_APP)) {
        try {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin
                  .listConsumerGroupOffsets(group)
                  .partitionsToOffsetAndMetadata()
                  .get(10, TimeUnit.SECONDS);
          Map<TopicPartition, OffsetSpec> req = new HashMap<>();
          admin
              .describeTopics(topics)
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .forEach(
                  (name, d) ->
                      d.partitions()
                          .forEach(
                              pi ->
                                  req.put(
                                      new TopicPartition(name, pi.partition()),
                                      OffsetSpec.latest())));
          lag = 0;
          for (var e : admin.listOffsets(req).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long at = c == null ? 0 : c.offset();
            lag += Math.max(0, e.getValue().offset() - at - 1);
          }
        } catch (ExecutionException | TimeoutException e) {
          lag = -1;
        }
        long now = System.nanoTime();
        if (lag == 0) {
          if (caughtSince < 0) {
            caughtSince = now;
          } else if (now - caughtSince > 2_000_000_000L) {
            return;
          }
        } else {
          caughtSince = -1;
        }
        Thread.sleep(250);
      }
    }
    errors.add(
        "serving did not catch up on "
            + topics
            + " within "
            + s.catchUpTimeout()
            + " (lag "
            + lag
            + ")");
  }

  static List<String> sample(Set<String> users, int n, long seed) {
    List<String> all = new ArrayList<>(users);
    Collections.sort(all);
    Collections.shuffle(all, new Random(seed));
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }

  private record OptionalDoubleValue(boolean present, double value) {}

  /** The first sample of a Prometheus metric named exactly {@code name} on {@code /metrics}. */
  private static OptionalDoubleValue gauge(int port, String name) {
    ServiceHttp.Answer a = ServiceHttp.get(port, "/metrics");
    if (a.status() != 200) {
      return new OptionalDoubleValue(false, 0);
    }
    for (String line : a.body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        String v = line.substring(line.lastIndexOf(' ') + 1);
        try {
          return new OptionalDoubleValue(true, Double.parseDouble(v));
        } catch (NumberFormatException e) {
          return new OptionalDoubleValue(false, 0);
        }
      }
    }
    return new OptionalDoubleValue(false, 0);
  }
}
