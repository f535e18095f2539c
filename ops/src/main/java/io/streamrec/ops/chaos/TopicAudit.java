package io.streamrec.ops.chaos;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads StreamRec topics from the beginning with {@code isolation.level=read_committed}, as raw
 * bytes (so that nothing undecodable stops the audit), without a consumer group.
 */
public final class TopicAudit implements AutoCloseable {

  /** A rating's identity: the same (user, item, event time) is the same rating. */
  public static String identity(String user, String item, long timestampMillis) {
    return user + '\u0000' + item + '\u0000' + timestampMillis;
  }

  private final KafkaConsumer<byte[], byte[]> consumer;

  public TopicAudit(String bootstrap) {
    Properties p = ClientProperties.readCommittedConsumer(bootstrap, null);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Assigns every partition of {@code topics} from the beginning (replacing an earlier assignment).
   */
  public void assignFromBeginning(List<String> topics) {
    List<TopicPartition> tps = new ArrayList<>();
    for (String t : topics) {
      List<PartitionInfo> parts = consumer.partitionsFor(t, Duration.ofSeconds(30));
      for (PartitionInfo pi : parts) {
        tps.add(new TopicPartition(t, pi.partition()));
      }
    }
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
  }

  /** Polls once and hands every record to {@code sink}; returns how many there were. */
  public int pollOnce(Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    int n = 0;
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      sink.accept(r);
      n++;
    }
    return n;
  }

  /** Reads until every assigned partition is at its (committed) end. */
  public void readToEnd(Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      pollOnce(Duration.ofMillis(200), sink);
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      boolean done = true;
      for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
        if (consumer.position(e.getKey()) < e.getValue()) {
          done = false;
        }
      }
      if (done) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Could not read " + consumer.assignment() + " to the end within " + timeout);
      }
    }
  }

  /**
   * Where each assigned partition currently ends (log end offset; includes transaction markers).
   */
  public Map<TopicPartition, Long> endOffsets() {
    return consumer.endOffsets(consumer.assignment());
  }

  /**
   * Per partition of the embedding topics, in offset order: how often a row's model version was
   * lower than the previous row's, and the highest version seen.
   */
  public record VersionCheck(long rows, long decreases, long maxVersion, String firstDecrease) {}

  public static VersionCheck versions(String bootstrap, String suffix, Duration timeout) {
    AvroSerde<EmbeddingUpdate> serde = AvroSerde.of(EmbeddingUpdate.class);
    Map<TopicPartition, Long> last = new HashMap<>();
    long[] counts = new long[3];
    String[] first = new String[1];
    try (TopicAudit a = new TopicAudit(bootstrap)) {
      a.assignFromBeginning(
          List.of(
              Topics.USER_EMBEDDINGS.withSuffix(suffix).name(),
              Topics.ITEM_EMBEDDINGS.withSuffix(suffix).name()));
      a.readToEnd(
          timeout,
          r -> {
            long v;
            try {
              v = serde.decode(r.value()).getModelVersion();
            } catch (RuntimeException e) {
              return;
            }
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Long prev = last.put(tp, v);
            counts[0]++;
            if (prev != null && v < prev) {
              counts[1]++;
              if (first[0] == null) {
                first[0] = tp + "@" + r.offset() + ": v" + v + " after v" + prev;
              }
            }
            counts[2] = Math.max(counts[2], v);
          });
    }
    return new VersionCheck(counts[0], counts[1], counts[2], first[0]);
  }

  /** What ingest made of the ratings: examples and dead letters, by rating identity. */
  public static final class IngestOutcome {
    final Map<String, Integer> examples = new HashMap<>();
    final Map<String, Integer> deadLetters = new HashMap<>();
    final Map<String, Integer> reasons = new TreeMap<>();
    final Map<Integer, Long> lastExampleOffset = new HashMap<>();
    long exampleRecords;
    long deadLetterRecords;
    long undecodable;

    void accept(
        ConsumerRecord<byte[], byte[]> r,
        String examplesTopic,
        AvroSerde<TrainingExample> ex,
        AvroSerde<RatingEvent> rating) {
      if (r.topic().equals(examplesTopic)) {
        exampleRecords++;
        lastExampleOffset.merge(r.partition(), r.offset(), Math::max);
        try {
          TrainingExample e = ex.decode(r.value());
          examples.merge(
              identity(e.getUserId(), e.getItemId(), e.getTimestamp().toEpochMilli()),
              1,
              Integer::sum);
        } catch (RuntimeException e) {
          undecodable++;
        }
      } else {
        deadLetterRecords++;
        String reason = DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON);
        reasons.merge(String.valueOf(reason), 1, Integer::sum);
        try {
          RatingEvent e = rating.decode(r.value());
          deadLetters.merge(
              identity(e.getUserId(), e.getItemId(), e.getTimestamp().toEpochMilli()),
              1,
              Integer::sum);
        } catch (RuntimeException e) {
          undecodable++;
        }
      }
    }

    public long exampleRecords() {
      return exampleRecords;
    }

    public long deadLetterRecords() {
      return deadLetterRecords;
    }

    public Map<String, Integer> reasons() {
      return reasons;
    }

    /** Next offset after the last committed example, per partition of the examples topic. */
    public Map<Integer, Long> nextExampleOffsets() {
      Map<Integer, Long> out = new TreeMap<>();
      lastExampleOffset.forEach((p, o) -> out.put(p, o + 1));
      return out;
    }

    /** Identities of {@code expected} found neither as an example nor as a dead letter. */
    public long lost(Iterable<String> expected) {
      long n = 0;
      for (String id : expected) {
        if (!examples.containsKey(id) && !deadLetters.containsKey(id)) {
          n++;
        }
      }
      return n;
    }

    /**
     * Extra copies: every occurrence of a rating beyond its first, over examples and dead letters
     * together.
     */
    public long duplicated() {
      long n = 0;
      Map<String, Integer> all = new HashMap<>(examples);
      deadLetters.forEach((k, v) -> all.merge(k, v, Integer::sum));
      for (int c : all.values()) {
        n += c - 1;
      }
      return n + undecodable;
    }

    /** Distinct ratings accounted for. */
    public long distinct() {
      Map<String, Integer> all = new HashMap<>(examples);
      all.putAll(deadLetters);
      return all.size();
    }
  }

  /**
   * Reads the examples topic and the ingest dead-letter topic into {@code out} until they are
   * stable.
   */
  public static void ingestOutcome(TopicAudit a, String suffix, IngestOutcome out, Duration poll) {
    TopicSpec<String, TrainingExample> ex = Topics.TRAINING_EXAMPLES.withSuffix(suffix);
    AvroSerde<TrainingExample> exSerde = AvroSerde.of(TrainingExample.class);
    AvroSerde<RatingEvent> ratingSerde = AvroSerde.of(RatingEvent.class);
    a.pollOnce(poll, r -> out.accept(r, ex.name(), exSerde, ratingSerde));
  }

  @Override
  public void close() {
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
