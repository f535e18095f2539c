package io.streamrec.ops.bench;

import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The reference of {@link PipelineBench}: a bare {@code exactly_once_v2} copy of the same events.
 */
final class PassThroughReference {
  private PassThroughReference() {}

  /**
   * Seconds a bare {@code exactly_once_v2} Kafka Streams source-to-sink copy (raw bytes, defaults,
   * one thread, as in {@link IngestBench}) takes from {@code RUNNING} until all {@code expected}
   * records of the filled ratings topic of {@code suffix} are read back {@code read_committed} from
   * its output (the training-examples topic of {@code suffix}).
   */
  static double seconds(
      String bootstrap, Path workDir, Duration timeout, String suffix, long expected)
      throws InterruptedException {
    String input = Topics.RATINGS.withSuffix(suffix).name();
    String output = Topics.TRAINING_EXAMPLES.withSuffix(suffix).name();
    StreamsBuilder b = new StreamsBuilder();
    b.stream(
            input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("source-ratings"))
        .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("sink-copy"));
    Properties p =
        ClientProperties.exactlyOnceStreams(
            "bench-pipeline-passthrough" + suffix,
            bootstrap,
            WorkDirs.fresh(workDir, "pipeline" + suffix));
    Properties c =
        ClientProperties.readCommittedConsumer(bootstrap, "bench-pipeline-reader" + suffix);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(output));
      streams.start();
      long deadline = System.nanoTime() + timeout.toNanos();
      long start = 0;
      long seen = 0;
      while (seen < expected) {
        if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
          throw new IllegalStateException(
              "pass-through: only " + seen + " of " + expected + " records arrived");
        }
        seen += consumer.poll(Duration.ofMillis(20)).count();
        if (start == 0 && streams.state() == KafkaStreams.State.RUNNING) {
          start = System.nanoTime();
        }
      }
      long end = System.nanoTime();
      return Math.max(1e-3, (end - (start == 0 ? end : start)) / 1e9);
    } finally {
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(30)));
    }
  }

  /**
   * Records of a transactional topic, read {@code read_committed} from the beginning to the end.
   */
  static long countCommitted(String bootstrap, String topic) {
    Properties p = ClientProperties.readCommittedConsumer(bootstrap, null);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(pi -> new TopicPartition(topic, pi.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      long n = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        n += c.poll(Duration.ofMillis(100)).count();
      }
      return n;
    }
  }
}
