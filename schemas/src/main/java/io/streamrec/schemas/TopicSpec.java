package io.streamrec.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * Everything a client needs to know about one topic: its name, the serdes of its key and value, how
 * many partitions it is created with, and whether it is log-compacted.
 *
 * @param name the full, versioned topic name (e.g. {@code streamrec.events.ratings.v1})
 * @param keySerde serde of the record key
 * @param valueSerde serde of the record value
 * @param partitions partitions used when StreamRec creates the topic
 * @param compacted {@code cleanup.policy=compact} when true, {@code delete} otherwise
 * @param <K> key type
 * @param <V> value type
 */
public record TopicSpec<K, V>(
    String name, Serde<K> keySerde, Serde<V> valueSerde, int partitions, boolean compacted) {

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "partitions must be >= 1 for " + name + ", was " + partitions);
    }
  }

  /** Topic-level configs used at creation time. */
  public Map<String, String> topicConfigs() {
    return compacted
        ? Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0", "segment.ms", "600000")
        : Map.of("cleanup.policy", "delete");
  }

  /**
   * This spec with {@code suffix} appended to the name. Every service reads a {@code topics.suffix}
   * setting (default empty) and applies it to all topics, so tests and side-by-side runs can share
   * one broker.
   */
  public TopicSpec<K, V> withSuffix(String suffix) {
    return suffix == null || suffix.isEmpty() ? this : withName(name + suffix);
  }

  /** This spec with another topic name. */
  public TopicSpec<K, V> withName(String newName) {
    return new TopicSpec<>(newName, keySerde, valueSerde, partitions, compacted);
  }
}
