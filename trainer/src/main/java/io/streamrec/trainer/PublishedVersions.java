package io.streamrec.trainer;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.schemas.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest model version already on the embedding topics (read from the last record of each partition), so that
 * a trainer restarted from an older checkpoint, or without one, never publishes a version that was already used.
 */
final class PublishedVersions {
  private static final Logger log = LoggerFactory.getLogger(PublishedVersions.class);
  private static final AvroSerde<EmbeddingUpdate> SERDE = AvroSerde.of(EmbeddingUpdate.class);

  private PublishedVersions() {}

  /** Settings of the short-lived reader: no group, nothing committed, committed records only. */
  static Properties readerProps(TrainerConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return p;
  }

  /** Highest model version of the last record of every partition of {@code topics}, or 0; closes nothing. */
  static long newest(Consumer<byte[], byte[]> c, List<String> topics, Duration timeout) {
    long max = 0;
    List<TopicPartition> tps = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
      if (infos != null) {
        infos.forEach(pi -> tps.add(new TopicPartition(pi.topic(), pi.partition())));
      }
    }
    if (tps.isEmpty()) {
      return 0;
    }
    c.assign(tps);
    Map<TopicPartition, Long> ends = c.endOffsets(tps, timeout);
    int waiting = 0;
    for (TopicPartition tp : tps) {
      long end = ends.getOrDefault(tp, 0L);
      if (end > 0) {
        c.seek(tp, end - 1);
        waiting++;
      } else {
        c.pause(List.of(tp));
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<TopicPartition> done = new HashSet<>();
    while (done.size() < waiting && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
        done.add(new TopicPartition(r.topic(), r.partition()));
        try {
          max = Math.max(max, SERDE.decode(r.value()).getModelVersion());
        } catch (SerializationException e) {
          log.warn("Undecodable embedding at {}-{}@{}", r.topic(), r.partition(), r.offset());
        }
      }
      for (TopicPartition tp : tps) {
        if (!done.contains(tp) && c.position(tp) >= ends.getOrDefault(tp, 0L)) {
          done.add(tp);
        }
      }
    }
    return max;
  }
}
