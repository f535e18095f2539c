package io.streamrec.ops.replay;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces a {@link ReplayPlan} to Kafka in time order: {@code RatingEvent}s keyed by user id,
 * rating rows to {@link Topics#RATINGS}, holdout rows to {@link Topics#RATINGS_HOLDOUT} (both with
 * the configured suffix).
 *
 * <p>The producer is idempotent with {@code acks=all} and one request in flight, so a retried batch
 * is never duplicated or reordered within a partition: each user's events arrive in time order. The
 * Kafka record timestamp is the wall-clock send time (the event time lives in the payload), so
 * retention never deletes old MovieLens events on arrival and the evaluator can measure freshness
 * from it.
 *
 * <p>Pacing: {@code speed <= 0} sends as fast as possible; {@code speed = N} sends an event whose
 * time is {@code t} at wall-clock {@code start + (t - t0) / N}. With {@code maxLag > 0}
 * (bounded-lag mode) a {@link LagGate} also holds each event back while the system is behind by
 * more than {@code maxLag} records ({@link GroupLag}: the summed committed-offset lag of the
 * ingest, trainer and serving groups, unless other groups are given): the replay then runs at the
 * fastest pace the system keeps up with, and the summary reports that pace. Both limits apply
 * together.
 */
public final class Replayer {
  private static final Logger log = LoggerFactory.getLogger(Replayer.class);

  /**
   * @param bootstrap Kafka bootstrap servers
   * @param suffix topic suffix ({@code topics.suffix}), "" for the real topics
   * @param speed multiple of real time; {@code <= 0} = as fast as possible
   * @param producer extra producer settings (override the defaults)
   * @param maxLag bounded-lag mode: the largest system lag (records) before the replay holds back;
   *     0 = off
   * @param lagGroups the groups whose lag counts; empty = {@link GroupLag#serviceGroups} for the
   *     suffix
   * @param sessionGapMillis when &gt; 0, the replay acts as the app: before a rating whose user has
   *     no rating in the preceding {@code sessionGapMillis} of event time (a session start, or the
   *     user's first rating) it asks serving for the user's list ({@code RecommendationRequest}, k
   *     = 10, request id {@code replay-<n>}); 0 = off
   */
  public record Settings(
      String bootstrap,
      String suffix,
      double speed,
      Map<String, Object> producer,
      long maxLag,
      List<GroupLag.Group> lagGroups,
      long sessionGapMillis) {
    public Settings {
      producer = Map.copyOf(producer);
      lagGroups = List.copyOf(lagGroups);
      if (maxLag < 0) {
        throw new IllegalArgumentException("maxLag must be >= 0, was " + maxLag);
      }
      if (sessionGapMillis < 0) {
        throw new IllegalArgumentException(
            "sessionGapMillis must be >= 0, was " + sessionGapMillis);
      }
    }

    public Settings(
        String bootstrap,
        String suffix,
        double speed,
        Map<String, Object> producer,
        long maxLag,
        List<GroupLag.Group> lagGroups) {
      this(bootstrap, suffix, speed, producer, maxLag, lagGroups, 0);
    }

    public Settings(String bootstrap, String suffix, double speed, Map<String, Object> producer) {
      this(bootstrap, suffix, speed, producer, 0, List.of());
    }

    /** The same with session-start requests ({@code sessionGapMillis}). */
    public Settings withSessionRequests(long gapMillis) {
      return new Settings(bootstrap, suffix, speed, producer, maxLag, lagGroups, gapMillis);
    }

    public static Settings fastest(String bootstrap, String suffix) {
      return new Settings(bootstrap, suffix, 0, Map.of());
    }

    /** As fast as the system keeps up with: at most {@code maxLag} records behind. */
    public static Settings boundedLag(String bootstrap, String suffix, long maxLag) {
      return new Settings(bootstrap, suffix, 0, Map.of(), maxLag, List.of());
    }
  }

  /**
   * What was sent. Rates are events per second of wall time, including the final flush. {@code
   * pacing} is null unless the replay ran in bounded-lag mode.
   */
  public record Summary(
      long ratingsSent,
      long holdoutSent,
      long filteredOut,
      long splitMillis,
      double seconds,
      LagGate.Stats pacing) {
    public Summary(
        long ratingsSent, long holdoutSent, long filteredOut, long splitMillis, double seconds) {
      this(ratingsSent, holdoutSent, filteredOut, splitMillis, seconds, null);
    }

    public long total() {
      return ratingsSent + holdoutSent;
    }

    public double eventsPerSecond() {
      return seconds <= 0 ? 0 : total() / seconds;
    }
  }

  private static final Duration GATE_INTERVAL = Duration.ofMillis(20);
  private static final Duration GATE_STALL = Duration.ofSeconds(120);

  private Replayer() {}

  /** Sends the whole plan, flushes, and returns once every record is acknowledged. */
  public static Summary replay(ReplayPlan plan, Settings s, Progress progress) {
    TopicSpec<String, RatingEvent> ratings = Topics.RATINGS.withSuffix(s.suffix());
    TopicSpec<String, RatingEvent> holdout = Topics.RATINGS_HOLDOUT.withSuffix(s.suffix());
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong acked = new AtomicLong();
    long start = System.nanoTime();
    long sent = 0;
    GroupLag lag = null;
    LagGate gate = null;
    TopicSpec<String, RecommendationRequest> requests =
        Topics.RECOMMENDATION_REQUESTS.withSuffix(s.suffix());
    try (KafkaProducer<String, RatingEvent> producer =
            new KafkaProducer<>(
                producerProps(s),
                ratings.keySerde().serializer(),
                ratings.valueSerde().serializer());
        KafkaProducer<String, RecommendationRequest> requester =
            s.sessionGapMillis() <= 0
                ? null
                : new KafkaProducer<>(
                    requesterProps(s),
                    requests.keySerde().serializer(),
                    requests.valueSerde().serializer())) {
      if (s.maxLag() > 0) {
        lag =
            s.lagGroups().isEmpty()
                ? GroupLag.forServices(s.bootstrap(), s.suffix())
                : new GroupLag(
                    s.bootstrap(),
                    s.lagGroups(),
                    Set.of(ratings.name(), holdout.name()),
                    Duration.ofSeconds(10));
        GroupLag probe = lag;
        gate =
            new LagGate(
                () -> probe.measure().get("total"),
                acked::get,
                s.maxLag(),
                GATE_INTERVAL,
                GATE_STALL);
      }
      long t0 = firstTime(plan);
      Pace pace =
          new Pace(
              s.speed(),
              start,
              t0,
              gate,
              requester == null
                  ? null
                  : new Sessions(requester, requests.name(), s.sessionGapMillis(), failure));
      sent += send(producer, ratings.name(), plan.ratings(), pace, failure, acked, progress, sent);
      sent += send(producer, holdout.name(), plan.holdout(), pace, failure, acked, progress, sent);
      producer.flush();
    } finally {
      if (gate != null) {
        gate.close();
      }
      if (lag != null) {
        lag.close();
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Replay failed after "
              + acked.get()
              + " acknowledged records: "
              + failure.get().getMessage(),
          failure.get());
    }
    if (progress != null) {
      progress.finish(sent);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    Summary summary =
        new Summary(
            plan.ratings().size(),
            plan.holdout().size(),
            plan.filteredOut(),
            plan.splitMillis(),
            secs,
            gate == null ? null : gate.stats());
    log.info(
        "Replayed {} ratings and {} holdout events in {} s",
        summary.ratingsSent(),
        summary.holdoutSent(),
        secs);
    return summary;
  }

  /**
   * Session-start requests: the user's previous rating time, and a request before a rating after a
   * gap.
   */
  static final class Sessions {
    private final Producer<String, RecommendationRequest> producer;
    private final String topic;
    private final long gap;
    private final AtomicReference<Exception> failure;
    private final Map<String, Long> last = new HashMap<>();
    private long sent;

    Sessions(
        Producer<String, RecommendationRequest> producer,
        String topic,
        long gap,
        AtomicReference<Exception> failure) {
      this.producer = producer;
      this.topic = topic;
      this.gap = gap;
      this.failure = failure;
    }

    void before(Interaction i) {
      Long prev = last.put(i.userId(), i.timestamp());
      if (prev == null || i.timestamp() - prev >= gap) {
        producer.send(
            new ProducerRecord<>(
                topic, i.userId(), new RecommendationRequest(i.userId(), 10, "replay-" + (++sent))),
            (md, ex) -> {
              if (ex != null) {
                failure.compareAndSet(null, ex);
              }
            });
        // sent before the rating, unbatched (linger 0): serving sees it first in the common case; a
        // request answered
        // after the rating reflects it and is simply not eligible for that rating
      }
    }
  }

  /**
   * The pacing of one replay: a speed (0 = none), an optional lag gate, optional session-start
   * requests.
   */
  private record Pace(double speed, long startNanos, long t0, LagGate gate, Sessions sessions) {
    void await(Interaction i, long sent) {
      if (speed > 0) {
        long due = startNanos + (long) ((i.timestamp() - t0) * 1_000_000.0 / speed);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      if (gate != null) {
        try {
          gate.awaitCapacity(sent);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Replay interrupted", e);
        }
      }
      if (sessions != null) {
        sessions.before(i);
      }
    }
  }

  private static long send(
      KafkaProducer<String, RatingEvent> producer,
      String topic,
      List<Interaction> rows,
      Pace pace,
      AtomicReference<Exception> failure,
      AtomicLong acked,
      Progress progress,
      long sentBefore) {
    long n = 0;
    for (Interaction i : rows) {
      if (failure.get() != null) {
        break;
      }
      pace.await(i, sentBefore + n);
      RatingEvent e =
          new RatingEvent(
              i.userId(), i.itemId(), i.rating(), Instant.ofEpochMilli(i.timestamp()), null);
      producer.send(
          new ProducerRecord<>(topic, i.userId(), e),
          (md, ex) -> {
            if (ex != null) {
              failure.compareAndSet(null, ex);
            } else {
              acked.incrementAndGet();
            }
          });
      n++;
      if (progress != null) {
        progress.update(sentBefore + n);
      }
    }
    return n;
  }

  private static long firstTime(ReplayPlan plan) {
    if (!plan.ratings().isEmpty()) {
      return plan.ratings().get(0).timestamp();
    }
    return plan.holdout().isEmpty() ? 0 : plan.holdout().get(0).timestamp();
  }

  private static Map<String, Object> requesterProps(Settings s) {
    Map<String, Object> p = producerProps(s);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamrec-replay-requests");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return p;
  }

  static Map<String, Object> producerProps(Settings s) {
    Map<String, Object> p = ClientProperties.asMap(ClientProperties.producer(s.bootstrap()));
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamrec-replay");
    // On an overloaded machine a 30 s request timeout makes the producer resend its oldest batch
    // after later ones
    // were written, which an idempotent producer cannot recover from (OutOfOrderSequenceException
    // until the
    // delivery timeout); generous timeouts avoid that without affecting a healthy broker.
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    // One request in flight: on a freshly created topic the broker can answer the first batch with
    // NOT_LEADER_OR_FOLLOWER and accept the next one (a new producer id may start at any sequence),
    // after which
    // the retried first batch is out of sequence forever. With one in flight nothing overtakes a
    // retry.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    p.putAll(s.producer());
    return p;
  }
}
