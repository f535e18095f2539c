package io.streamrec.ops.chaos;

import io.streamrec.avro.RatingEvent;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The chaos scenario's replay: the ratings at a fixed pace to the ratings topic, with a producer
 * that rides through a broker restart, and the planned kills performed between sends.
 */
final class PacedReplay {
  private PacedReplay() {}

  /** Performs one planned kill; {@code replayStart} is the replay's {@link System#nanoTime()}. */
  @FunctionalInterface
  interface KillHook {
    void kill(KillPlan.Kill k, long replayStart) throws InterruptedException;
  }

  /**
   * Sends {@code ratings} spread evenly over {@code pace}, calling {@code onKill} just before the
   * rating of each kill; returns how many sends were acknowledged (a failed send is added to {@code
   * errors}).
   */
  static long send(
      ChaosSystem sys,
      List<Interaction> ratings,
      Duration pace,
      List<KillPlan.Kill> plan,
      KillHook onKill,
      List<String> errors)
      throws InterruptedException {
    TopicSpec<String, RatingEvent> topic = Topics.RATINGS.withSuffix(sys.suffix());
    Properties p = ClientProperties.producer(sys.bootstrap());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // ride through a broker restart: keep retrying instead of failing sends
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "600000");
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    double perRating = (double) pace.toNanos() / Math.max(1, ratings.size());
    int next = 0;
    try (KafkaProducer<String, RatingEvent> producer =
        new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      for (int i = 0; i < ratings.size(); i++) {
        while (next < plan.size() && plan.get(next).atRating() == i) {
          onKill.kill(plan.get(next), start);
          next++;
        }
        long due = start + (long) (i * perRating);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        Interaction r = ratings.get(i);
        RatingEvent ev =
            RatingEvent.newBuilder()
                .setUserId(r.userId())
                .setItemId(r.itemId())
                .setRating(r.rating())
                .setTimestamp(Instant.ofEpochMilli(r.timestamp()))
                .build();
        producer.send(
            new ProducerRecord<>(topic.name(), r.userId(), ev),
            (md, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              } else {
                acked.incrementAndGet();
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      errors.add("replay producer: " + failure.get());
    }
    return acked.get();
  }
}
