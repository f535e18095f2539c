package io.streamrec.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RatingEvent;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.eval.EvaluationTopics;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.TopicReader;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@Timeout(120)
@ExtendWith(EmbeddedKafkaExtension.class)
class ReplayIT {

  @Test
  void shouldReplayMovieLensInTimeOrderPerPartitionAndRouteTheHoldout(EmbeddedKafkaBroker kafka) {
    MovieLens.Dataset ds = MovieLens.load(MovieLensFixture.ml100kOrSkip());
    String suffix = TestTopics.suffix();
    TopicSpec<String, RatingEvent> ratings = Topics.RATINGS.withSuffix(suffix);
    TopicSpec<String, RatingEvent> holdout = Topics.RATINGS_HOLDOUT.withSuffix(suffix);
    TopicAdmin.createAll(kafka.bootstrapServers(), List.of(ratings, holdout), (short) 1, Map.of());
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Replayer.Summary s =
        Replayer.replay(
            ReplayPlan.withHoldout(ds, 0.2),
            Replayer.Settings.fastest(kafka.bootstrapServers(), suffix),
            new Progress(new PrintStream(console, true, StandardCharsets.UTF_8), false, 100_000));

    assertThat(s.ratingsSent()).isEqualTo(79_999);
    assertThat(s.holdoutSent()).isEqualTo(20_001);
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("100,000/100,000 events");
    Map<Integer, Long> lastTimePerPartition = new HashMap<>();
    long[] counts = new long[2];
    long[] outOfOrder = new long[1];
    long[] wrongKey = new long[1];
    TopicReader.readAll(
        kafka.bootstrapServers(),
        ratings,
        Duration.ofSeconds(60),
        r -> {
          counts[0]++;
          long t = r.value().getTimestamp().toEpochMilli();
          Long prev = lastTimePerPartition.put(r.partition(), t);
          if (prev != null && prev > t) {
            outOfOrder[0]++;
          }
          if (!r.key().equals(r.value().getUserId().toString()) || t >= s.splitMillis()) {
            wrongKey[0]++;
          }
        });
    TopicReader.readAll(
        kafka.bootstrapServers(),
        holdout,
        Duration.ofSeconds(60),
        r -> {
          counts[1]++;
          if (r.value().getTimestamp().toEpochMilli() < s.splitMillis()) {
            wrongKey[0]++;
          }
        });
    assertThat(counts).containsExactly(79_999, 20_001);
    assertThat(outOfOrder[0]).as("events out of time order within a partition").isZero();
    assertThat(wrongKey[0])
        .as("records with a wrong key or on the wrong side of the split")
        .isZero();

    // The evaluator's "split from topics" gives the tutorial's split.
    TutorialSplit.Split split =
        EvaluationTopics.tutorialSplit(
            kafka.bootstrapServers(), suffix, 4f, Duration.ofSeconds(60));
    assertThat(split.train()).hasSize(79_999);
    assertThat(split.test()).hasSize(1_571);
    assertThat(split.groundTruth()).hasSize(95);
  }

  @Test
  void shouldPaceEventsAtTheRequestedMultipleOfRealTime(EmbeddedKafkaBroker kafka) {
    String suffix = TestTopics.suffix();
    TopicAdmin.createAll(
        kafka.bootstrapServers(),
        List.of(Topics.RATINGS.withSuffix(suffix), Topics.RATINGS_HOLDOUT.withSuffix(suffix)),
        (short) 1,
        Map.of());
    // Events 0, 60 and 120 s apart in event time, replayed at 100x: at least 1.2 s of wall time.
    var rows =
        List.of(
            new Interaction("1", "a", 4, 0),
            new Interaction("2", "b", 4, 60_000),
            new Interaction("1", "c", 4, 120_000));
    Replayer.Summary s =
        Replayer.replay(
            new ReplayPlan(rows, List.of(), 0, -1),
            new Replayer.Settings(kafka.bootstrapServers(), suffix, 100, Map.of()),
            null);
    assertThat(s.seconds()).isGreaterThanOrEqualTo(1.2);
    assertThat(s.ratingsSent()).isEqualTo(3);
  }

  @Test
  void shouldHoldTheReplayWithinTheLagBoundOfASlowConsumerGroup(EmbeddedKafkaBroker kafka)
      throws Exception {
    String suffix = TestTopics.suffix();
    TopicSpec<String, RatingEvent> ratings = Topics.RATINGS.withSuffix(suffix);
    TopicAdmin.createAll(
        kafka.bootstrapServers(),
        List.of(ratings, Topics.RATINGS_HOLDOUT.withSuffix(suffix)),
        (short) 1,
        Map.of());
    List<Interaction> rows = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      rows.add(new Interaction(Integer.toString(i % 50), "i" + i, 4, i * 1_000L));
    }
    String group = "slow-" + suffix;
    AtomicLong consumed = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Thread slow =
        new Thread(
            () -> {
              Map<String, Object> p = new HashMap<>();
              p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
              p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
              p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
              p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
              p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
              p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
              try (KafkaConsumer<byte[], byte[]> c =
                  new KafkaConsumer<>(
                      p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(ratings.name()));
                while (!stop.get()) {
                  int n = c.poll(Duration.ofMillis(50)).count();
                  if (n > 0) {
                    c.commitSync();
                    consumed.addAndGet(n);
                    sleepQuietly(25); // at most ~4,000 records/s
                  }
                }
              }
            });
    slow.start();
    try {
      Replayer.Summary s =
          Replayer.replay(
              new ReplayPlan(rows, List.of(), 0, -1),
              new Replayer.Settings(
                  kafka.bootstrapServers(),
                  suffix,
                  0,
                  Map.of(),
                  200,
                  List.of(new GroupLag.Group(group, List.of(ratings.name())))),
              null);
      assertThat(s.ratingsSent()).isEqualTo(3_000);
      assertThat(s.pacing()).isNotNull();
      assertThat(s.pacing().maxLag()).as("largest measured lag").isLessThanOrEqualTo(200);
      assertThat(s.pacing().heldSeconds())
          .as("time held back by the slow group")
          .isGreaterThan(0.1);
      assertThat(s.pacing().measurements()).isGreaterThan(5);
    } finally {
      stop.set(true);
      slow.join(10_000);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
