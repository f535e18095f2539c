package io.streamrec.trainer;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest model version already on the embedding topics (read from the tail of each partition),
 * so that a trainer restarted from an older checkpoint, or without one, never publishes a version
 * that was already used.
 */
final class PublishedVersions {
  private static final Logger log = LoggerFactory.getLogger(PublishedVersions.class);
  private static final AvroSerde<EmbeddingUpdate> SERDE = AvroSerde.of(EmbeddingUpdate.class);

  private PublishedVersions() {}

  /** Settings of the short-lived reader: no group, nothing committed, committed records only. */
  static Properties readerProps(TrainerConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.putAll(ClientProperties.readCommittedConsumer(cfg.bootstrapServers(), null));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /**
   * Highest model version on {@code topics}, or 0 when they hold no embedding; closes nothing.
   *
   * <p>Versions only grow along a partition, so the newest is in the tail of each partition. The
   * tail read is a window of the last {@value #FIRST_WINDOW} offsets, widened eightfold until it
   * holds a decodable embedding or reaches the log start: the last offset is not always a record (a
   * transaction marker when a transactional producer wrote the topic; a gap after compaction). A
   * topic that does not exist contributes nothing.
   *
   * @throws TimeoutException when the partitions could not be read within {@code timeout}
   *     (retriable: a partial answer could be lower than a version already used, and publishing it
   *     would make versions go back)
   */
  static long newest(Consumer<byte[], byte[]> c, List<String> topics, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
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
    Map<TopicPartition, Long> begins = c.beginningOffsets(tps, timeout);
    Map<TopicPartition, Long> ends = c.endOffsets(tps, timeout);
    long max = 0;
    for (TopicPartition tp : tps) {
      max =
          Math.max(
              max,
              newestOf(c, tp, begins.getOrDefault(tp, 0L), ends.getOrDefault(tp, 0L), deadline));
    }
    return max;
  }

  static final int FIRST_WINDOW = 16;

  private static long newestOf(
      Consumer<byte[], byte[]> c, TopicPartition tp, long begin, long end, long deadline) {
    c.assign(List.of(tp));
    long window = FIRST_WINDOW;
    while (true) {
      long start = Math.max(begin, end - window);
      if (start >= end) {
        return 0;
      }
      c.seek(tp, start);
      long max = 0;
      boolean found = false;
      while (c.position(tp) < end) {
        if (System.nanoTime() >= deadline) {
          throw new TimeoutException(
              "Reading the newest model version of "
                  + tp
                  + " (offsets "
                  + start
                  + " to "
                  + end
                  + ") did not finish in time; at offset "
                  + c.position(tp));
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end) {
            continue;
          }
          try {
            max = Math.max(max, SERDE.decode(r.value()).getModelVersion());
            found = true;
          } catch (SerializationException e) {
            log.warn("Undecodable embedding at {}-{}@{}", r.topic(), r.partition(), r.offset());
          }
        }
      }
      if (found || start == begin) {
        return max;
      }
      window = Math.multiplyExact(window, 8L);
    }
  }
}
