package io.streamrec.ops.replay;

import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The summed committed-offset lag of a set of consumer groups on their input topics, read with the
 * Admin client: for every (group, topic, partition), {@code max(0, end - committed - allowance)},
 * where {@code committed} is 0 when the group has committed nothing on that partition yet (fresh
 * topics start at offset 0) and {@code allowance} is 1 on topics written transactionally (a
 * caught-up group's committed offset sits one commit marker short of the end) and 0 on the ratings
 * topic (its producer, the replay, is not transactional).
 *
 * <p>The default groups are the services' ({@code <application or group id><suffix>}, as the demo's
 * launcher names them): ingest on the ratings topic, the trainer and serving on the
 * training-examples topic. Embedding topics are not counted (their records are model rows, not
 * events).
 */
public final class GroupLag implements AutoCloseable {

  /** A consumer group and the topics it consumes. */
  public record Group(String groupId, List<String> topics) {
    public Group {
      topics = List.copyOf(topics);
    }
  }

  private final Admin admin;
  private final List<Group> groups;
  private final Set<String> nonTransactional;
  private final Duration timeout;
  private Map<TopicPartition, OffsetSpec> endRequest;

  public GroupLag(
      String bootstrap, List<Group> groups, Set<String> nonTransactionalTopics, Duration timeout) {
    this.admin = Admin.create(ClientProperties.admin(bootstrap, "streamrec-replay-lag"));
    this.groups = List.copyOf(groups);
    this.nonTransactional = Set.copyOf(nonTransactionalTopics);
    this.timeout = timeout;
  }

  /**
   * The services' groups for a topic suffix: ingest on ratings; trainer and serving on training
   * examples.
   */
  public static List<Group> serviceGroups(String suffix) {
    String ratings = Topics.RATINGS.withSuffix(suffix).name();
    String examples = Topics.TRAINING_EXAMPLES.withSuffix(suffix).name();
    return List.of(
        new Group("streamrec-ingest" + suffix, List.of(ratings)),
        new Group("streamrec-trainer" + suffix, List.of(examples)),
        new Group("streamrec-serving" + suffix, List.of(examples)));
  }

  /** For the services' groups: the ratings topic is the only one written without transactions. */
  public static GroupLag forServices(String bootstrap, String suffix) {
    return new GroupLag(
        bootstrap,
        serviceGroups(suffix),
        Set.of(Topics.RATINGS.withSuffix(suffix).name()),
        Duration.ofSeconds(10));
  }

  /**
   * Lag per group (in the order given) plus the total under key {@code "total"}. The topics'
   * partitions are looked up once, on the first call. Not thread-safe.
   */
  public Map<String, Long> measure() {
    try {
      Set<String> topics = new LinkedHashSet<>();
      Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
      for (Group g : groups) {
        topics.addAll(g.topics());
        specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec());
      }
      Map<TopicPartition, Long> ends = endOffsets(new ArrayList<>(topics));
      var committed =
          admin
              .listConsumerGroupOffsets(specs)
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, Long> out = new LinkedHashMap<>();
      long total = 0;
      for (Group g : groups) {
        Map<TopicPartition, OffsetAndMetadata> offs = committed.getOrDefault(g.groupId(), Map.of());
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
          if (!g.topics().contains(e.getKey().topic())) {
            continue;
          }
          OffsetAndMetadata om = offs.get(e.getKey());
          long c = om == null ? 0 : om.offset();
          long allowance = nonTransactional.contains(e.getKey().topic()) ? 0 : 1;
          lag += Math.max(0, e.getValue() - c - allowance);
        }
        out.put(g.groupId(), lag);
        total += lag;
      }
      out.put("total", total);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading consumer-group lag", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot read consumer-group lag: " + e, e);
    }
  }

  private Map<TopicPartition, Long> endOffsets(List<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (endRequest == null) {
      Map<TopicPartition, OffsetSpec> req = new HashMap<>();
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .forEach(
              (name, d) ->
                  d.partitions()
                      .forEach(
                          p ->
                              req.put(
                                  new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      endRequest = req;
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e :
        admin
            .listOffsets(endRequest)
            .all()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .entrySet()) {
      out.put(e.getKey(), e.getValue().offset());
    }
    return out;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
