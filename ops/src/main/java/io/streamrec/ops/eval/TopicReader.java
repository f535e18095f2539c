package io.streamrec.ops.eval;

import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a whole topic, from the beginning up to the end offsets taken when the read starts, without
 * a consumer group (nothing is committed) and with {@code isolation.level=read_committed}.
 */
public final class TopicReader {
  private TopicReader() {}

  public static <K, V> long readAll(
      String bootstrap,
      TopicSpec<K, V> topic,
      Duration timeout,
      Consumer<ConsumerRecord<K, V>> sink) {
    try (KafkaConsumer<K, V> c =
        new KafkaConsumer<>(
            consumerProps(bootstrap),
            topic.keySerde().deserializer(),
            topic.valueSerde().deserializer())) {
      List<TopicPartition> parts = partitions(c, topic.name(), timeout);
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      long n = 0;
      while (!reached(c, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Timed out after "
                  + timeout
                  + " reading "
                  + topic.name()
                  + " (read "
                  + n
                  + " records, end offsets "
                  + end
                  + ")");
        }
        for (ConsumerRecord<K, V> r : c.poll(Duration.ofMillis(200))) {
          sink.accept(r);
          n++;
        }
      }
      return n;
    }
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic, Duration timeout) {
    List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("Topic " + topic + " does not exist");
    }
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo p : infos) {
      parts.add(new TopicPartition(topic, p.partition()));
    }
    return parts;
  }

  private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  static Map<String, Object> consumerProps(String bootstrap) {
    Map<String, Object> p =
        ClientProperties.asMap(ClientProperties.readCommittedConsumer(bootstrap, null));
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamrec-evaluator");
    return p;
  }
}
