package io.streamrec.trainer;

import io.streamrec.trainer.core.EmbeddingTable;
import io.streamrec.trainer.core.OnlineLearner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the rows the learner changed to the user and item embedding topics, at most every
 * {@code trainer.publish.interval.ms}, under model versions that strictly increase: each publish is
 * version {@code previous + 1}, starting above the version it was {@linkplain #startAbove started
 * above} (the newest of the checkpoint's and the embedding topics'). A publish ends with a producer
 * flush, so a version counts as published once every row of it was acknowledged.
 */
final class EmbeddingPublisher {
  private static final Logger log = LoggerFactory.getLogger(EmbeddingPublisher.class);

  private final Producer<byte[], byte[]> producer;
  private final String userTopic;
  private final String itemTopic;
  private final TrainerMetrics metrics;
  private final Duration interval;
  private final EmbeddingEncoder encoder = new EmbeddingEncoder();
  private volatile long version;
  private long lastPublishNanos = System.nanoTime();
  private long firstDirtyNanos = -1;
  private boolean inFlight;

  EmbeddingPublisher(
      Producer<byte[], byte[]> producer,
      String userTopic,
      String itemTopic,
      TrainerMetrics metrics,
      Duration interval) {
    this.producer = producer;
    this.userTopic = userTopic;
    this.itemTopic = itemTopic;
    this.metrics = metrics;
    this.interval = interval;
  }

  /** Continues numbering above {@code floor}; resets the publish timer. */
  void startAbove(long floor) {
    version = floor;
    lastPublishNanos = System.nanoTime();
  }

  /** The newest published model version (the floor before the first publish). */
  long version() {
    return version;
  }

  /** Notes that the learner may have new dirty rows (starts the publish-lag clock). */
  void noteDirty(OnlineLearner learner) {
    if (firstDirtyNanos < 0 && learner.dirtyCount() > 0) {
      firstDirtyNanos = System.nanoTime();
    }
  }

  /**
   * Whether a publish started and did not complete (it failed): its rows were taken from the
   * learner's dirty set but may not all have reached the topics, so the caller should mark every
   * row dirty again.
   */
  boolean interrupted() {
    return inFlight;
  }

  /**
   * Publishes the dirty rows as the next version when the interval has passed (or {@code force}).
   */
  boolean maybePublish(OnlineLearner learner, boolean force) {
    long now = System.nanoTime();
    if (learner.dirtyCount() == 0) {
      return false;
    }
    if (!force && now - lastPublishNanos < interval.toNanos()) {
      return false;
    }
    long next = version + 1;
    Instant at = Instant.now();
    inFlight = true;
    int[] users = learner.drainDirtyUsers();
    int[] items = learner.drainDirtyItems();
    send(learner, userTopic, learner.userTable(), users, true, next, at);
    send(learner, itemTopic, learner.itemTable(), items, false, next, at);
    producer.flush();
    inFlight = false;
    version = next;
    lastPublishNanos = now;
    Duration publishLag = Duration.ofNanos(firstDirtyNanos < 0 ? 0 : now - firstDirtyNanos);
    firstDirtyNanos = -1;
    metrics.published(users.length, items.length, publishLag);
    log.debug("Published model version {}: {} users, {} items", next, users.length, items.length);
    return true;
  }

  /** Clears the in-flight mark once the caller marked every row dirty again. */
  void recovered() {
    inFlight = false;
  }

  private void send(
      OnlineLearner learner,
      String topic,
      EmbeddingTable table,
      int[] rows,
      boolean users,
      long v,
      Instant at) {
    long atMillis = at.toEpochMilli();
    long popularityTime =
        learner.popularityTime() == Long.MIN_VALUE ? 0L : learner.popularityTime();
    float popularityWeight = learner.popularityWeight();
    long halfLife = learner.popularityHalfLifeMillis();
    for (int row : rows) {
      String id = users ? learner.userId(row) : learner.itemId(row);
      long et = table.eventTime(row);
      byte[] value =
          encoder.encodeFor(
              topic,
              id,
              table.vector(row),
              users ? 0f : table.bias(row),
              v,
              atMillis,
              et == Long.MIN_VALUE ? atMillis : et,
              users ? 0.0 : learner.popularityCount(row),
              popularityTime,
              popularityWeight,
              halfLife);
      producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value));
    }
  }
}
