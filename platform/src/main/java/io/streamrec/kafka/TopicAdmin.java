package io.streamrec.kafka;

import io.streamrec.schemas.TopicSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates StreamRec topics from their {@link TopicSpec}s; idempotent, and it checks existing topics
 * match.
 */
public final class TopicAdmin {
  private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

  private TopicAdmin() {}

  /** Outcome of {@link #createAll}: which topics were created and which already existed. */
  public record Result(List<String> created, List<String> existing) {}

  /**
   * Creates each topic that does not exist yet, with its partitions, compaction and the given
   * replication.
   *
   * @throws IllegalStateException when an existing topic has a different partition count
   *     (co-partitioning would silently break)
   */
  public static Result createAll(
      String bootstrapServers,
      Collection<TopicSpec<?, ?>> specs,
      short replication,
      Map<String, Object> adminOverrides) {
    Properties props = ClientProperties.admin(bootstrapServers, "streamrec-topic-admin");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
    props.putAll(adminOverrides);
    List<String> created = new ArrayList<>();
    List<String> existing = new ArrayList<>();
    try (Admin admin = Admin.create(props)) {
      Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      List<NewTopic> toCreate = new ArrayList<>();
      for (TopicSpec<?, ?> spec : specs) {
        if (names.contains(spec.name())) {
          existing.add(spec.name());
        } else {
          toCreate.add(
              new NewTopic(spec.name(), spec.partitions(), replication)
                  .configs(spec.topicConfigs()));
        }
      }
      for (var entry : admin.createTopics(toCreate).values().entrySet()) {
        try {
          entry.getValue().get(60, TimeUnit.SECONDS);
          created.add(entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          existing.add(entry.getKey());
        }
      }
      checkPartitions(admin, specs, existing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot create topics on " + bootstrapServers + ": " + e.getMessage(), e);
    }
    log.info("Topics created: {}; already present: {}", created, existing);
    return new Result(List.copyOf(created), List.copyOf(existing));
  }

  private static void checkPartitions(
      Admin admin, Collection<TopicSpec<?, ?>> specs, List<String> existing)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (existing.isEmpty()) {
      return;
    }
    Map<String, TopicDescription> described =
        admin.describeTopics(existing).allTopicNames().get(60, TimeUnit.SECONDS);
    for (TopicSpec<?, ?> spec : specs) {
      TopicDescription d = described.get(spec.name());
      if (d != null && d.partitions().size() != spec.partitions()) {
        throw new IllegalStateException(
            "Topic "
                + spec.name()
                + " exists with "
                + d.partitions().size()
                + " partitions, StreamRec expects "
                + spec.partitions());
      }
    }
  }
}
