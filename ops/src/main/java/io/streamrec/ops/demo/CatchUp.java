package io.streamrec.ops.demo;

import io.streamrec.kafka.ClientProperties;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until the system has processed everything the replay sent. Caught up means, all at once and
 * unchanged for a settle period:
 *
 * <ol>
 *   <li>ingest: at least the expected number of consumer groups have committed offsets on the
 *       ratings topic, and every group that has is at the end of it (the replay producer is not
 *       transactional, so the ratings topic holds no transaction markers and the lag is exactly end
 *       - committed);
 *   <li>trainer: {@code lag() == 0} and {@code idle()};
 *   <li>serving: the embedding topics' end offsets, every committed group offset on them, and the
 *       trainer's model version did not change during the settle period (the trainer publishes
 *       transactionally, so a committed offset may sit one marker short of the end; stability
 *       rather than equality is the test), and every such committed offset is at most one short of
 *       the end.
 * </ol>
 */
public final class CatchUp {

  /** One observation. */
  public record Snapshot(
      long ingestLag,
      int ingestGroups,
      ServiceLauncher.TrainerStatus trainer,
      long embeddingsEnd,
      long embeddingsCommitted,
      long embeddingsLag) {}

  private final String bootstrap;
  private final String ratingsTopic;
  private final List<String> embeddingTopics;

  public CatchUp(String bootstrap, String ratingsTopic, List<String> embeddingTopics) {
    this.bootstrap = bootstrap;
    this.ratingsTopic = ratingsTopic;
    this.embeddingTopics = List.copyOf(embeddingTopics);
  }

  /**
   * Polls every 250 ms until caught up for {@code settle}; throws with the last snapshot after
   * {@code timeout}.
   */
  public Snapshot await(
      ServiceLauncher.RunningServices services,
      int expectedIngestGroups,
      Duration settle,
      Duration timeout,
      PrintStream out)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastPrint = 0;
    Snapshot stableSince = null;
    long stableStart = 0;
    try (Admin admin = Admin.create(ClientProperties.admin(bootstrap, "streamrec-catch-up"))) {
      while (true) {
        Snapshot s = observe(admin, services);
        long now = System.nanoTime();
        boolean ready =
            s.ingestLag() == 0
                && s.ingestGroups() >= expectedIngestGroups
                && s.trainer().lag() == 0
                && s.trainer().idle()
                && s.embeddingsLag() == 0;
        if (ready && s.equals(stableSince)) {
          if (now - stableStart >= settle.toNanos()) {
            return s;
          }
        } else {
          stableSince = ready ? s : null;
          stableStart = now;
        }
        if (now - lastPrint > 5_000_000_000L) {
          out.printf(
              "waiting: ingest lag %d (%d groups), trainer lag %d, examples %d, model v%d, idle %s%n",
              s.ingestLag(),
              s.ingestGroups(),
              s.trainer().lag(),
              s.trainer().examplesTrained(),
              s.trainer().modelVersion(),
              s.trainer().idle());
          lastPrint = now;
        }
        if (now > deadline) {
          throw new IllegalStateException(
              "The system did not catch up within " + timeout + "; last state: " + s);
        }
        Thread.sleep(250);
      }
    }
  }

  Snapshot observe(Admin admin, ServiceLauncher.RunningServices services)
      throws InterruptedException {
    try {
      List<String> groups = new ArrayList<>();
      for (GroupListing g : admin.listGroups().all().get(10, TimeUnit.SECONDS)) {
        groups.add(g.groupId());
      }
      Map<TopicPartition, Long> committedRatings = new HashMap<>();
      Map<TopicPartition, Long> committedEmb = new HashMap<>();
      int ingestGroups = 0;
      List<Map<TopicPartition, Long>> perGroupRatings = new ArrayList<>();
      List<Map<TopicPartition, Long>> perGroupEmb = new ArrayList<>();
      for (String g : groups) {
        Map<TopicPartition, OffsetAndMetadata> offs;
        try {
          offs =
              admin
                  .listConsumerGroupOffsets(g)
                  .partitionsToOffsetAndMetadata()
                  .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          continue;
        }
        Map<TopicPartition, Long> r = new HashMap<>();
        Map<TopicPartition, Long> em = new HashMap<>();
        offs.forEach(
            (tp, om) -> {
              if (om == null) {
                return;
              }
              if (tp.topic().equals(ratingsTopic)) {
                r.put(tp, om.offset());
              } else if (embeddingTopics.contains(tp.topic())) {
                em.put(tp, om.offset());
              }
            });
        if (!r.isEmpty()) {
          ingestGroups++;
          perGroupRatings.add(r);
          committedRatings.putAll(r);
        }
        if (!em.isEmpty()) {
          perGroupEmb.add(em);
          committedEmb.putAll(em);
        }
      }
      Map<TopicPartition, Long> ratingsEnd = endOffsets(admin, List.of(ratingsTopic));
      Map<TopicPartition, Long> embEnd = endOffsets(admin, embeddingTopics);
      long ingestLag = 0;
      for (Map<TopicPartition, Long> r : perGroupRatings) {
        for (Map.Entry<TopicPartition, Long> e : ratingsEnd.entrySet()) {
          ingestLag += e.getValue() - r.getOrDefault(e.getKey(), 0L);
        }
      }
      long embLag = 0;
      long embCommitted = 0;
      for (Map<TopicPartition, Long> em : perGroupEmb) {
        for (Map.Entry<TopicPartition, Long> e : em.entrySet()) {
          embCommitted += e.getValue();
          embLag += Math.max(0, embEnd.getOrDefault(e.getKey(), 0L) - e.getValue() - 1);
        }
      }
      long embEndSum = embEnd.values().stream().mapToLong(Long::longValue).sum();
      return new Snapshot(
          ingestLag, ingestGroups, services.trainer(), embEndSum, embCommitted, embLag);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot read consumer-group offsets from " + bootstrap + ": " + e, e);
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> req = new HashMap<>();
    var desc = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
    desc.forEach(
        (name, d) ->
            d.partitions()
                .forEach(
                    p -> req.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> out = new HashMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
        admin
            .listOffsets(req, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all()
            .get(10, TimeUnit.SECONDS)
            .entrySet()) {
      out.put(e.getKey(), e.getValue().offset());
    }
    return out;
  }
}
