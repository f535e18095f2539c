package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IngestTopologyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final AvroSerde<RatingEvent> RATING = AvroSerde.of(RatingEvent.class);

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private MeterRegistry registry;
  private TestInputTopic<byte[], byte[]> in;
  private TestOutputTopic<String, TrainingExample> out;
  private TestOutputTopic<byte[], byte[]> dlq;

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void start(int minCount) {
    IngestConfig config =
        IngestConfig.load(
            null,
            Map.of(),
            Map.of(
                IngestConfig.STATE_DIR, stateDir.toString(),
                IngestConfig.MIN_USER_INTERACTIONS, Integer.toString(minCount)));
    registry = new SimpleMeterRegistry();
    Properties props = config.toStreamsProperties();
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    driver = new TopologyTestDriver(IngestTopology.build(config, registry), props, T0);
    in =
        driver.createInputTopic(
            Topics.RATINGS.name(), new ByteArraySerializer(), new ByteArraySerializer());
    out =
        driver.createOutputTopic(
            Topics.TRAINING_EXAMPLES.name(),
            new StringDeserializer(),
            Topics.TRAINING_EXAMPLES.valueSerde().deserializer());
    dlq =
        driver.createOutputTopic(
            Topics.DLQ_INGEST.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static RatingEvent rating(String user, String item, float r, long ts) {
    return new RatingEvent(user, item, r, Instant.ofEpochMilli(ts), null);
  }

  private void send(RatingEvent e) {
    in.pipeInput(e.getUserId().getBytes(StandardCharsets.UTF_8), RATING.encode(e));
  }

  private static String describe(TrainingExample x) {
    return x.getItemId() + "@" + x.getTimestamp().toEpochMilli() + "#" + x.getUserInteractions();
  }

  private double counter(String name, String reason) {
    return reason == null
        ? registry.get(name).counter().count()
        : registry.get(name).tag("reason", reason).counter().count();
  }

  @Test
  void shouldHoldEventsUntilMinCountThenReleaseInStableEventTimeOrder() {
    start(4);
    send(rating("u1", "a", 4f, 3000));
    send(rating("u1", "b", 3f, 1000));
    send(rating("u1", "c", 5f, 3000));
    assertThat(out.isEmpty()).isTrue();

    send(rating("u1", "d", 2f, 2000));
    List<TestRecord<String, TrainingExample>> released = out.readRecordsToList();
    assertThat(released).extracting(TestRecord::key).containsOnly("u1");
    assertThat(released)
        .extracting(r -> describe(r.value()))
        .containsExactly("b@1000#1", "d@2000#2", "a@3000#3", "c@3000#4");
    assertThat(released.get(0).value().getRating()).isEqualTo(3f);

    send(rating("u1", "e", 1f, 500));
    assertThat(out.readValuesToList())
        .extracting(IngestTopologyTest::describe)
        .containsExactly("e@500#5");
    assertThat(counter(IngestMetrics.HELD, null)).isEqualTo(3.0);
    assertThat(counter(IngestMetrics.USERS_QUALIFIED, null)).isEqualTo(1.0);
    assertThat(counter(IngestMetrics.EXAMPLES, null)).isEqualTo(5.0);
  }

  @Test
  void shouldKeepUsersApartWhenHolding() {
    start(2);
    send(rating("u1", "a", 4f, 10));
    send(rating("u2", "a", 4f, 10));
    send(rating("u2", "b", 4f, 5));
    assertThat(out.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + describe(kv.value))
        .containsExactly("u2:b@5#1", "u2:a@10#2");
    assertThat(driver.<String, UserState>getKeyValueStore(MinCountProcessor.STORE).get("u1").held())
        .hasSize(1);
  }

  @Test
  void shouldPassEverythingStraightThroughWhenMinIsOne() {
    start(1);
    send(rating("u1", "a", 4f, 300));
    send(rating("u1", "b", 4f, 100));
    send(rating("u2", "a", 1f, 200));
    assertThat(out.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + describe(kv.value))
        .containsExactly("u1:a@300#1", "u1:b@100#2", "u2:a@200#1");
    assertThat(counter(IngestMetrics.HELD, null)).isZero();
    assertThat(counter(IngestMetrics.USERS_QUALIFIED, null)).isEqualTo(2.0);
  }

  @Test
  void shouldDeadLetterGarbageBytesWithOriginalBytesAndHeadersAndKeepProcessing() {
    start(1);
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
    in.pipeInput(new TestRecord<>("u9".getBytes(StandardCharsets.UTF_8), garbage, headers, T0));
    send(rating("u9", "a", 4f, 100));

    TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(dead.key()).isEqualTo("u9".getBytes(StandardCharsets.UTF_8));
    var h = dead.headers();
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.REASON)).isEqualTo("undecodable");
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.STAGE)).isEqualTo("ingest");
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.TOPIC)).isEqualTo(Topics.RATINGS.name());
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.PARTITION)).isEqualTo("0");
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.OFFSET)).isEqualTo("0");
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.EXCEPTION_CLASS))
        .isEqualTo(SerializationException.class.getName());
    assertThat(DeadLetterHeaders.get(h, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("C3 01");
    assertThat(DeadLetterHeaders.get(h, "trace")).isEqualTo("abc");
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(out.readValuesToList())
        .extracting(IngestTopologyTest::describe)
        .containsExactly("a@100#1");
    assertThat(counter(DeadLetterMeter.NAME, "undecodable")).isEqualTo(1.0);
    assertThat(counter(IngestMetrics.RECORDS, null)).isEqualTo(2.0);
  }

  @Test
  void shouldDeadLetterNullValue() {
    start(1);
    in.pipeInput("u1".getBytes(StandardCharsets.UTF_8), (byte[]) null);
    TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(dead.value()).isNull();
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON))
        .isEqualTo("undecodable");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "NaN rating         | u1 | a  | NaN       | 100 | u1 | rating-not-finite",
        "infinite rating    | u1 | a  | Infinity  | 100 | u1 | rating-not-finite",
        "rating below range | u1 | a  | 0.0       | 100 | u1 | rating-out-of-range",
        "rating above range | u1 | a  | 5.5       | 100 | u1 | rating-out-of-range",
        "negative rating    | u1 | a  | -1.0      | 100 | u1 | rating-out-of-range",
        "empty user id      | '' | a  | 4.0       | 100 | '' | invalid-user-id",
        "blank user id      | ' '| a  | 4.0       | 100 | ' '| invalid-user-id",
        "empty item id      | u1 | '' | 4.0       | 100 | u1 | invalid-item-id",
        "blank item id      | u1 | ' '| 4.0       | 100 | u1 | invalid-item-id",
        "zero timestamp     | u1 | a  | 4.0       | 0   | u1 | invalid-timestamp",
        "negative timestamp | u1 | a  | 4.0       | -5  | u1 | invalid-timestamp",
        "key mismatch       | u1 | a  | 4.0       | 100 | u2 | key-mismatch",
      })
  void shouldDeadLetterInvalidEventWithReason(
      String name, String user, String item, float r, long ts, String key, String reason) {
    start(1);
    byte[] value = RATING.encode(rating(user, item, r, ts));
    in.pipeInput(key.getBytes(StandardCharsets.UTF_8), value);

    TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(dead.value()).isEqualTo(value);
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo(reason);
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.EXCEPTION_CLASS))
        .isEqualTo(RejectedRatingException.class.getName());
    assertThat(out.isEmpty()).isTrue();
    assertThat(counter(DeadLetterMeter.NAME, reason)).isEqualTo(1.0);
    assertThat(driver.<String, UserState>getKeyValueStore(MinCountProcessor.STORE).get(user))
        .isNull();
  }

  @Test
  void shouldAcceptHalfStarsAndRangeBounds() {
    start(1);
    send(rating("u1", "a", 0.5f, 100));
    send(rating("u1", "b", 5.0f, 100));
    send(rating("u1", "c", 3.5f, 100));
    assertThat(out.readValuesToList()).hasSize(3);
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void shouldRekeyEventsWithNullKeyByUserId() {
    start(2);
    in.pipeInput(null, RATING.encode(rating("u5", "a", 4f, 200)));
    send(rating("u5", "b", 4f, 100));
    assertThat(out.readKeyValuesToList())
        .extracting(kv -> kv.key + ":" + describe(kv.value))
        .containsExactly("u5:b@100#1", "u5:a@200#2");
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void shouldCountDuplicateOnceAndNotDeadLetterIt() {
    start(2);
    send(rating("u1", "a", 4f, 100));
    send(rating("u1", "a", 4f, 100));
    assertThat(out.isEmpty()).isTrue();
    send(rating("u1", "b", 4f, 50));
    assertThat(out.readValuesToList())
        .extracting(IngestTopologyTest::describe)
        .containsExactly("b@50#1", "a@100#2");
    send(rating("u1", "b", 4f, 50));
    send(rating("u1", "a", 2f, 900));
    assertThat(out.readValuesToList())
        .extracting(IngestTopologyTest::describe)
        .containsExactly("a@900#3");
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(counter(IngestMetrics.DUPLICATES, null)).isEqualTo(2.0);
    UserState s = driver.<String, UserState>getKeyValueStore(MinCountProcessor.STORE).get("u1");
    assertThat(s.interactionCount()).isEqualTo(3);
    assertThat(s.itemCount()).isEqualTo(2);
  }

  @Test
  void shouldKeepCountsItemsTimesAndHeldEventsInTheStore() {
    start(3);
    send(rating("u1", "42", 4f, 2000));
    send(rating("u1", "7", 3.5f, 1000));
    KeyValueStore<String, UserState> store = driver.getKeyValueStore(MinCountProcessor.STORE);
    UserState s = store.get("u1");
    assertThat(s.interactionCount()).isEqualTo(2);
    assertThat(s.firstEventTime()).isEqualTo(1000);
    assertThat(s.lastEventTime()).isEqualTo(2000);
    assertThat(s.hasItem("42")).isTrue();
    assertThat(s.hasItem("7")).isTrue();
    assertThat(s.held())
        .containsExactly(
            new UserState.HeldEvent("42", 4f, 2000), new UserState.HeldEvent("7", 3.5f, 1000));

    send(rating("u1", "9", 5f, 3000));
    UserState after = store.get("u1");
    assertThat(after.held()).isEmpty();
    assertThat(after.interactionCount()).isEqualTo(3);
    assertThat(after.lastEventTime()).isEqualTo(3000);
  }

  @Test
  void shouldResumeFromChangelogStateAfterRestart() {
    start(3);
    send(rating("u1", "a", 4f, 300));
    send(rating("u1", "b", 4f, 100));
    send(rating("u2", "a", 4f, 100));
    Map<String, byte[]> changelog = new HashMap<>();
    driver
        .createOutputTopic(
            "streamrec-ingest-" + MinCountProcessor.STORE + "-changelog",
            new StringDeserializer(),
            new ByteArrayDeserializer())
        .readKeyValuesToList()
        .forEach(kv -> changelog.put(kv.key, kv.value));
    driver.close();
    assertThat(changelog).containsOnlyKeys("u1", "u2");

    // TopologyTestDriver wipes its state directory on close: restore the store from the changelog
    // by hand,
    // as Kafka Streams does on a fresh instance (IngestPipelineIT covers the real restore)
    start(3);
    KeyValueStore<String, UserState> store = driver.getKeyValueStore(MinCountProcessor.STORE);
    changelog.forEach((k, v) -> store.put(k, UserStateSerde.decode(v)));
    assertThat(store.get("u1").held()).hasSize(2);
    send(rating("u1", "c", 4f, 200));
    assertThat(out.readValuesToList())
        .extracting(IngestTopologyTest::describe)
        .containsExactly("b@100#1", "c@200#2", "a@300#3");
    send(rating("u1", "a", 4f, 300));
    assertThat(out.isEmpty()).as("a duplicate from before the restart").isTrue();
  }
}
