package io.streamrec.trainer;

import io.streamrec.kafka.ClientProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's input: one consumer on the training-examples topic, with manual assignment of every
 * partition (no group membership, so a restarted trainer reads at once; the group id only carries
 * committed offsets for monitoring), positions restored from the checkpoint, pausing of full
 * partitions and the input lag. Reads with {@code isolation.level=read_committed}: the topic is
 * written in ingest's transactions.
 */
final class ExampleSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExampleSource.class);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private List<TopicPartition> partitions = List.of();

  /** The offsets of the last {@link #commitAsync} not known to have failed (null: none). */
  private Map<TopicPartition, Long> lastCommitAsync;

  ExampleSource(Consumer<byte[], byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.topic = topic;
  }

  /** The consumer settings: every {@code kafka.*} key, then the ones the trainer relies on. */
  static Properties consumerProps(TrainerConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    // read_committed: the examples topic is written in ingest's transactions, never learn records
    // of aborted ones; no auto-commit (offsets are committed with the checkpointed state)
    p.putAll(ClientProperties.readCommittedConsumer(cfg.bootstrapServers(), cfg.groupId()));
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** {@code topic:partition}, the key of a partition's offset in a checkpoint. */
  static String key(TopicPartition tp) {
    return tp.topic() + ":" + tp.partition();
  }

  String topic() {
    return topic;
  }

  /**
   * Waits up to {@code wait} for the topic to exist, assigns all its partitions and positions each
   * at its restored offset (or the beginning).
   *
   * @return the restored next offset per partition (partitions without one are absent)
   * @throws IllegalStateException when the topic does not appear in time
   */
  Map<TopicPartition, Long> assign(
      Map<String, Long> restored, BooleanSupplier running, Duration wait) {
    List<PartitionInfo> infos = List.of();
    long deadline = System.nanoTime() + wait.toNanos();
    while (running.getAsBoolean()) {
      infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Input topic " + topic + " does not exist");
      }
      log.info("Waiting for input topic {}", topic);
      sleepQuietly(500);
    }
    List<TopicPartition> tps = new ArrayList<>();
    for (PartitionInfo pi : infos == null ? List.<PartitionInfo>of() : infos) {
      tps.add(new TopicPartition(pi.topic(), pi.partition()));
    }
    partitions = List.copyOf(tps);
    consumer.assign(partitions);
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition tp : partitions) {
      Long off = restored.get(key(tp));
      if (off != null) {
        consumer.seek(tp, off);
        positions.put(tp, off);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
    return positions;
  }

  /** Every assigned partition. */
  List<TopicPartition> partitions() {
    return partitions;
  }

  ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    return consumer.poll(timeout);
  }

  /** Whether {@code tp} has nothing more to read right now. */
  boolean caughtUp(TopicPartition tp) {
    OptionalLong l = consumer.currentLag(tp);
    if (l.isPresent()) {
      return l.getAsLong() == 0;
    }
    Long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(5)).get(tp);
    return end != null && consumer.position(tp) >= end;
  }

  /** Records between the consumer's positions and the ends of the partitions. */
  long lag() {
    long total = 0;
    boolean known = true;
    for (TopicPartition tp : partitions) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isPresent()) {
        total += l.getAsLong();
      } else {
        known = false;
      }
    }
    if (!known) {
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(5));
      total = 0;
      for (TopicPartition tp : partitions) {
        total += Math.max(0, ends.getOrDefault(tp, 0L) - consumer.position(tp));
      }
    }
    return total;
  }

  /** Pauses {@code full} and resumes every other partition. */
  void pauseOnly(Set<TopicPartition> full) {
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (!full.contains(tp)) {
        resume.add(tp);
      }
    }
    consumer.pause(full);
    consumer.resume(resume);
  }

  Map<TopicPartition, Long> endOffsets(Duration timeout) {
    return consumer.endOffsets(partitions, timeout);
  }

  long position(TopicPartition tp) {
    return consumer.position(tp);
  }

  /** Positions every partition at {@code offsets} (the beginning where absent). */
  void seek(Map<TopicPartition, Long> offsets) {
    for (TopicPartition tp : partitions) {
      Long off = offsets.get(tp);
      if (off != null) {
        consumer.seek(tp, off);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  void seekToBeginning() {
    consumer.seekToBeginning(partitions);
  }

  /**
   * Commits {@code next} offsets asynchronously (monitoring only; a failure is logged at debug).
   */
  void commitAsync(Map<TopicPartition, Long> next) {
    if (next.isEmpty() || next.equals(lastCommitAsync)) {
      return; // idle training polls often: do not send the same offsets again
    }
    lastCommitAsync = Map.copyOf(next);
    consumer.commitAsync(
        toCommit(next),
        (offs, e) -> {
          if (e != null) {
            lastCommitAsync = null; // send them again with the next step
            log.debug("Offset commit failed (the checkpoint holds the offsets): {}", e.toString());
          }
        });
  }

  /**
   * Commits {@code next} offsets and waits; retries once when a wakeup left pending by {@link
   * #wakeup} fires.
   */
  void commitSync(Map<TopicPartition, Long> next, Duration timeout) {
    if (next.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(toCommit(next), timeout);
    } catch (WakeupException pendingWakeup) {
      // close() woke the consumer while the loop was outside poll(); the wakeup is spent now, so
      // retry once.
      consumer.commitSync(toCommit(next), timeout);
    }
  }

  /**
   * Makes a blocked or the next {@link #poll} throw {@link WakeupException}; safe from any thread.
   */
  void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    try {
      consumer.close();
    } catch (RuntimeException e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> toCommit(Map<TopicPartition, Long> next) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    next.forEach((tp, off) -> commit.put(tp, new OffsetAndMetadata(off)));
    return commit;
  }

  private static void sleepQuietly(long ms) {
    try {
      TimeUnit.MILLISECONDS.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
