package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.TrainingExample;
import io.streamrec.avro.Trigger;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.GoldenFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingTopologyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final AvroSerde<EmbeddingUpdate> EMB = AvroSerde.of(EmbeddingUpdate.class);

  private static final String WRONG_DIMENSION = DeadLetterReason.WRONG_DIMENSION.tag();
  private static final String NON_FINITE = DeadLetterReason.NON_FINITE_VECTOR.tag();
  private static final String UNDECODABLE = DeadLetterReason.UNDECODABLE.tag();

  record DeadLetter(String topic, String key, String reason) {}

  @TempDir Path stateDir;

  private final List<DeadLetter> itemDeadLetters = new ArrayList<>();
  private ServingConfig config;
  private ServingDependencies deps;
  private SimpleMeterRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> items;
  private TestInputTopic<String, byte[]> users;
  private TestInputTopic<String, byte[]> examples;
  private TestInputTopic<String, byte[]> requests;
  private TestOutputTopic<String, Recommendations> recs;
  private TestOutputTopic<byte[], byte[]> dlq;

  @BeforeEach
  void start() {
    config =
        ServingConfig.of(
            Map.of(
                "serving.state.dir",
                stateDir.toString(),
                "serving.k",
                "3",
                "serving.debounce.ms",
                "100",
                "serving.http.port",
                "0",
                // the coalescing path: these tests pipe records at the driver's clock, which would
                // count as fresh
                "serving.immediate.max.age.ms",
                "0"));
    registry = new SimpleMeterRegistry();
    deps =
        ServingDependencies.create(
            config,
            new ServingMetrics(registry),
            (topic, partition, offset, key, value, reason, error) ->
                itemDeadLetters.add(
                    new DeadLetter(
                        topic,
                        key == null ? null : new String(key, StandardCharsets.UTF_8),
                        reason.tag())),
            Clock.fixed(T0, ZoneOffset.UTC));
    Properties props = config.toStreamsProperties();
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(ServingTopology.build(deps), props, T0);
    items =
        driver.createInputTopic(
            Topics.ITEM_EMBEDDINGS.name(), new StringSerializer(), new ByteArraySerializer());
    users =
        driver.createInputTopic(
            Topics.USER_EMBEDDINGS.name(), new StringSerializer(), new ByteArraySerializer());
    examples =
        driver.createInputTopic(
            Topics.TRAINING_EXAMPLES.name(), new StringSerializer(), new ByteArraySerializer());
    requests =
        driver.createInputTopic(
            Topics.RECOMMENDATION_REQUESTS.name(),
            new StringSerializer(),
            new ByteArraySerializer());
    recs =
        driver.createOutputTopic(
            Topics.RECOMMENDATIONS.name(),
            new StringDeserializer(),
            Topics.RECOMMENDATIONS.valueSerde().deserializer());
    dlq =
        driver.createOutputTopic(
            Topics.DLQ_SERVING.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
    deps.close();
  }

  static EmbeddingUpdate emb(String id, long version, long eventTime, float bias, float... v) {
    List<Float> vec = new ArrayList<>();
    for (float f : v) {
      vec.add(f);
    }
    return EmbeddingUpdate.newBuilder()
        .setId(id)
        .setVector(vec)
        .setBias(bias)
        .setModelVersion(version)
        .setUpdatedAt(Instant.ofEpochMilli(eventTime + 5))
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .build();
  }

  static byte[] example(String user, String item, long ts) {
    return AvroSerde.of(TrainingExample.class)
        .encode(
            TrainingExample.newBuilder()
                .setUserId(user)
                .setItemId(item)
                .setRating(5f)
                .setTimestamp(Instant.ofEpochMilli(ts))
                .setUserInteractions(1)
                .build());
  }

  static byte[] request(String user, int k, String id) {
    return AvroSerde.of(RecommendationRequest.class)
        .encode(
            RecommendationRequest.newBuilder().setUserId(user).setK(k).setRequestId(id).build());
  }

  private void fourItems() {
    // Scores for user u=[1,0]: a=4, b=3, c=2, d=1 (d via bias).
    items.pipeInput("a", EMB.encode(emb("a", 3, 100, 0f, 4, 0)));
    items.pipeInput("b", EMB.encode(emb("b", 7, 100, 0f, 3, 9)));
    items.pipeInput("c", EMB.encode(emb("c", 2, 100, 0f, 2, 0)));
    items.pipeInput("d", EMB.encode(emb("d", 2, 100, 1f, 0, 0)));
  }

  /** One emit period of wall-clock time: pending lists are emitted. */
  private void tick() {
    driver.advanceWallClockTime(Duration.ofMillis(100));
  }

  private static List<String> ids(Recommendations r) {
    return r.getItems().stream().map(ScoredItem::getItemId).toList();
  }

  @Test
  void shouldMatchGoldenDescription() throws IOException {
    String actual;
    try (ServingDependencies d =
        ServingDependencies.create(
            ServingConfig.of(Map.of()),
            new ServingMetrics(new SimpleMeterRegistry()),
            (topic, partition, offset, key, value, reason, error) -> {},
            Clock.systemUTC())) {
      actual = ServingTopology.build(d).describe().toString();
    }
    GoldenFile.assertMatches(ServingTopologyTest.class, "serving-topology.txt", actual);
  }

  @Test
  void shouldEmitOnInteractionExcludingSeenItems() {
    fourItems();
    users.pipeInput("u1", EMB.encode(emb("u1", 5, 1_000, 0f, 1, 0)));
    examples.pipeInput("u1", example("u1", "a", 2_000));
    assertThat(recs.isEmpty()).isTrue();
    tick();
    TestRecord<String, Recommendations> out = recs.readRecord();
    assertThat(out.key()).isEqualTo("u1");
    Recommendations r = out.value();
    assertThat(r.getTrigger()).isEqualTo(Trigger.INTERACTION);
    assertThat(ids(r)).containsExactly("b", "c", "d");
    assertThat(r.getItems().get(0).getScore()).isEqualTo(3f);
    assertThat(r.getFallback()).isFalse();
    assertThat(r.getModelVersion()).isEqualTo(7L);
    assertThat(r.getUserEventTime()).isEqualTo(Instant.ofEpochMilli(2_000));
    assertThat(r.getEmbeddingEventTime()).isEqualTo(Instant.ofEpochMilli(1_000));
    assertThat(r.getRequestId()).isNull();
    // The embedding update and the interaction of the same period: one list reflecting both.
    assertThat(r.getCoalescedEvents()).isEqualTo(2);
    assertThat(r.getGeneratedAt()).isAfterOrEqualTo(T0.plusMillis(100));
    examples.pipeInput("u1", example("u1", "b", 3_000));
    tick();
    assertThat(ids(recs.readValue())).containsExactly("c", "d");
    assertThat(
            driver
                .<String, UserHistory>getKeyValueStore(ServingNames.USER_HISTORY_STORE)
                .get("u1")
                .items())
        .containsExactly("a", "b");
    assertThat(recs.isEmpty()).isTrue();
  }

  @Test
  void shouldCoalesceOneUsersEventsOfOnePeriodIntoOneList() {
    fourItems();
    users.pipeInput("u1", EMB.encode(emb("u1", 5, 1_000, 0f, 1, 0)));
    examples.pipeInput("u1", example("u1", "a", 2_000));
    examples.pipeInput("u1", example("u1", "b", 2_001));
    examples.pipeInput("u2", example("u2", "a", 2_002));
    tick();
    List<Recommendations> out = recs.readValuesToList();
    assertThat(out).extracting(Recommendations::getUserId).containsExactly("u1", "u2");
    assertThat(ids(out.get(0))).containsExactly("c", "d");
    assertThat(out.get(0).getTrigger()).isEqualTo(Trigger.INTERACTION);
    assertThat(out.get(0).getCoalescedEvents()).isEqualTo(3);
    assertThat(out.get(1).getCoalescedEvents()).isEqualTo(1);
    assertThat(registry.get("streamrec.serving.coalesced.events").counter().count()).isEqualTo(2.0);
    assertThat(registry.get("streamrec.serving.reflected.events").counter().count()).isEqualTo(4.0);
    try (var pendingLists = driver.getKeyValueStore(ServingNames.PENDING_LISTS_STORE).all()) {
      assertThat(pendingLists.hasNext()).isFalse();
    }
  }

  @Test
  void shouldDebounceEmbeddingUpdatesOnWallClock() {
    fourItems();
    for (int i = 0; i < 5; i++) {
      users.pipeInput("u1", EMB.encode(emb("u1", i, 1_000 + i, 0f, 1, 0)));
      users.pipeInput("u2", EMB.encode(emb("u2", i, 1_000 + i, 0f, 0, 1)));
    }
    assertThat(recs.isEmpty()).isTrue();
    tick();
    List<TestRecord<String, Recommendations>> out = recs.readRecordsToList();
    assertThat(out).extracting(TestRecord::key).containsExactly("u1", "u2");
    assertThat(out)
        .allSatisfy(r -> assertThat(r.value().getTrigger()).isEqualTo(Trigger.EMBEDDING_UPDATE));
    assertThat(out.get(0).value().getModelVersion()).isEqualTo(7L);
    assertThat(out.get(0).value().getEmbeddingEventTime()).isEqualTo(Instant.ofEpochMilli(1_004));
    // u2=[0,1]: b=9, d=1 (bias), a=c=0 and the tie goes to the earlier item a.
    assertThat(ids(out.get(1).value())).containsExactly("b", "d", "a");
    assertThat(out.get(0).value().getCoalescedEvents()).isEqualTo(5);
    tick();
    assertThat(recs.isEmpty()).isTrue();
    users.pipeInput("u1", EMB.encode(emb("u1", 9, 2_000, 0f, 0, 1)));
    assertThat(recs.isEmpty()).isTrue();
    tick();
    assertThat(recs.readValuesToList())
        .singleElement()
        .satisfies(r -> assertThat(ids(r)).startsWith("b"));
  }

  @Test
  void shouldAnswerRequestsIncludingUnknownUsersWithFallback() {
    fourItems();
    users.pipeInput("u1", EMB.encode(emb("u1", 5, 1_000, 0f, 1, 0)));
    requests.pipeInput("u1", request("u1", 2, "req-1"));
    Recommendations r = recs.readValue();
    assertThat(r.getTrigger()).isEqualTo(Trigger.REQUEST);
    assertThat(r.getRequestId()).isEqualTo("req-1");
    assertThat(ids(r)).containsExactly("a", "b");
    // The request emitted the fresh list (reflecting the pending update), so u1 is no longer
    // pending.
    assertThat(r.getCoalescedEvents()).isEqualTo(1);
    tick();
    assertThat(recs.isEmpty()).isTrue();

    requests.pipeInput("nobody", request("nobody", 10, "req-2"));
    Recommendations unknown = recs.readValue();
    assertThat(unknown.getRequestId()).isEqualTo("req-2");
    assertThat(unknown.getFallback()).isTrue();
    assertThat(unknown.getModelVersion()).isEqualTo(-1L);
    assertThat(unknown.getItems()).isEmpty();

    // Popularity: c twice (older), d once (newer), seen items excluded for the asking user.
    examples.pipeInput("u7", example("u7", "c", 1_000));
    examples.pipeInput("u8", example("u8", "c", 1_000));
    examples.pipeInput("u9", example("u9", "d", 2_000));
    tick();
    recs.readValuesToList();
    requests.pipeInput("u9", request("u9", 0, "req-3"));
    Recommendations fb = recs.readValue();
    assertThat(fb.getFallback()).isTrue();
    assertThat(ids(fb)).containsExactly("c");
    assertThat(fb.getUserEventTime()).isEqualTo(Instant.ofEpochMilli(2_000));
    requests.pipeInput("someone-new", request("someone-new", 5000, "req-4"));
    assertThat(ids(recs.readValue())).containsExactly("c", "d");
  }

  @Test
  void shouldFailWithAnInstructionWhenTheModelDimensionDiffersFromTheStoredIndex() {
    fourItems(); // rows written before the dimension field: the index takes dimension 2
    items.pipeInput("e", EMB.encode(ofDimension(emb("e", 8, 100, 0f, 1, 1), 2)));
    // a row whose vector disagrees with its own model's dimension is one bad record
    items.pipeInput("liar", EMB.encode(ofDimension(emb("liar", 8, 100, 0f, 1, 2, 3), 2)));
    assertThat(itemDeadLetters)
        .extracting(DeadLetter::key, DeadLetter::reason)
        .containsExactly(Tuple.tuple("liar", WRONG_DIMENSION));
    assertThat(deps.items().liveItems()).isEqualTo(5);

    // a well-formed row of a re-dimensioned model is a model change the stored index cannot follow
    ModelDimensionMismatchException item =
        mismatch(
            () -> items.pipeInput("f", EMB.encode(ofDimension(emb("f", 9, 100, 0f, 1, 2, 3), 3))));
    assertThat(item.getMessage())
        .startsWith(
            "model dimension 3 (row f, model version 9) differs from the stored index dimension 2: ")
        .contains("trainer.embedding.dim=2", "serving.state.dir", "topics.suffix");
    assertThat(item.modelDimension()).isEqualTo(3);
    assertThat(item.indexDimension()).isEqualTo(2);
    assertThat(deps.items().liveItems()).isEqualTo(5);
  }

  @Test
  void shouldFailWhenAUserVectorComesFromAModelOfAnotherDimension() {
    fourItems();
    ModelDimensionMismatchException user =
        mismatch(
            () ->
                users.pipeInput("u1", EMB.encode(ofDimension(emb("u1", 9, 100, 0f, 1, 2, 3), 3))));
    assertThat(user.getMessage()).startsWith("model dimension 3 (row u1, model version 9)");
    assertThat(dlq.isEmpty()).isTrue();
  }

  private static EmbeddingUpdate ofDimension(EmbeddingUpdate e, int dimension) {
    e.setDimension(dimension);
    return e;
  }

  /** The mismatch {@code r} fails with, wherever Kafka Streams wrapped it. */
  private static ModelDimensionMismatchException mismatch(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ModelDimensionMismatchException m) {
          return m;
        }
      }
      throw new AssertionError("expected a model dimension mismatch, got " + e, e);
    }
    throw new AssertionError("expected a model dimension mismatch, nothing was thrown");
  }

  @Test
  void shouldDeadLetterBadEmbeddingsAndRequests() {
    fourItems();
    items.pipeInput("bad-dim", EMB.encode(emb("bad-dim", 1, 1, 0f, 1, 2, 3)));
    items.pipeInput("nan", EMB.encode(emb("nan", 1, 1, 0f, Float.NaN, 2)));
    items.pipeInput("junk", "not avro".getBytes(StandardCharsets.UTF_8));
    assertThat(itemDeadLetters)
        .extracting(DeadLetter::key, DeadLetter::reason)
        .containsExactly(
            Tuple.tuple("bad-dim", WRONG_DIMENSION),
            Tuple.tuple("nan", NON_FINITE),
            Tuple.tuple("junk", UNDECODABLE));
    assertThat(deps.items().liveItems()).isEqualTo(4);

    users.pipeInput("u1", EMB.encode(emb("u1", 1, 1, 0f, 1, 2, 3)));
    users.pipeInput("u2", EMB.encode(emb("u2", 1, 1, Float.POSITIVE_INFINITY, 1, 2)));
    users.pipeInput("u3", new byte[] {1, 2, 3});
    requests.pipeInput("u4", "garbage".getBytes(StandardCharsets.UTF_8));
    List<TestRecord<byte[], byte[]>> letters = dlq.readRecordsToList();
    assertThat(letters)
        .extracting(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
        .containsExactly(WRONG_DIMENSION, NON_FINITE, UNDECODABLE, UNDECODABLE);
    assertThat(DeadLetterHeaders.get(letters.get(3).headers(), DeadLetterHeaders.TOPIC))
        .isEqualTo(Topics.RECOMMENDATION_REQUESTS.name());
    assertThat(DeadLetterHeaders.get(letters.get(0).headers(), DeadLetterHeaders.STAGE))
        .isEqualTo("serving");
    assertThat(new String(letters.get(3).value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
    assertThat(driver.getKeyValueStore(ServingNames.USER_EMBEDDING_STORE).get("u1")).isNull();
    assertThat(
            registry
                .get("streamrec.dlq.records")
                .tag("stage", "serving")
                .tag("reason", "undecodable")
                .counter()
                .count())
        .isEqualTo(3.0);
    assertThat(recs.isEmpty()).isTrue();
    // Still serving after the poison pills.
    users.pipeInput("u1", EMB.encode(emb("u1", 1, 1, 0f, 1, 0)));
    requests.pipeInput("u1", request("u1", 1, "r"));
    assertThat(ids(recs.readValue())).containsExactly("a");
  }

  @Test
  void shouldRemoveItemsOnTombstone() {
    fourItems();
    items.pipeInput("a", (byte[]) null);
    users.pipeInput("u1", EMB.encode(emb("u1", 5, 1_000, 0f, 1, 0)));
    requests.pipeInput("u1", request("u1", 10, "r"));
    assertThat(ids(recs.readValue())).containsExactly("b", "c", "d");
    assertThat(driver.getKeyValueStore(ServingNames.ITEM_EMBEDDING_STORE).get("a")).isNull();
    assertThat(deps.items().liveItems()).isEqualTo(3);
  }

  private List<String> deadLetterReasons() {
    return dlq.readRecordsToList().stream()
        .map(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
        .toList();
  }

  @Test
  void shouldDeadLetterEmbeddingsWithHugeFiniteComponents() {
    fourItems();
    items.pipeInput("huge", EMB.encode(emb("huge", 9, 100, 0f, 1e38f, 1e38f)));
    items.pipeInput("huge-bias", EMB.encode(emb("huge-bias", 9, 100, 1e30f, 1, 0)));
    assertThat(itemDeadLetters)
        .extracting(DeadLetter::key, DeadLetter::reason)
        .containsExactly(
            Tuple.tuple("huge", DeadLetterReason.NORM_TOO_LARGE.tag()),
            Tuple.tuple("huge-bias", DeadLetterReason.NORM_TOO_LARGE.tag()));
    users.pipeInput("u1", EMB.encode(emb("u1", 1, 1, 0f, 3e37f, 0)));
    assertThat(deadLetterReasons()).containsExactly(DeadLetterReason.NORM_TOO_LARGE.tag());
    assertThat(
            registry.get("streamrec.dlq.records").tag("reason", "norm-too-large").counter().count())
        .isEqualTo(3.0);
    users.pipeInput("u1", EMB.encode(emb("u1", 1, 1, 0f, 1, 0)));
    requests.pipeInput("u1", request("u1", 2, "r"));
    assertThat(ids(recs.readValue())).containsExactly("a", "b");
  }

  @Test
  void shouldServeFarFutureAndExtremeTimestampsWithoutThrowing() {
    fourItems();
    long year3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
    users.pipeInput("u1", EMB.encode(emb("u1", 1, year3000, 0f, 1, 0)));
    examples.pipeInput("u1", example("u1", "a", Long.MAX_VALUE));
    users.pipeInput("u2", EMB.encode(emb("u2", 1, 0, 0f, 1, 0)));
    examples.pipeInput("u2", example("u2", "b", year3000));
    users.pipeInput("u3", EMB.encode(emb("u3", 1, Long.MAX_VALUE, 0f, 1, 0)));
    examples.pipeInput("u3", example("u3", "c", 0));
    requests.pipeInput("u1", request("u1", 2, "r1"));
    tick();
    List<Recommendations> out = recs.readValuesToList();
    assertThat(out)
        .filteredOn(r -> "u1".equals(r.getUserId()))
        .allSatisfy(r -> assertThat(ids(r)).doesNotContain("a").isNotEmpty());
    assertThat(out)
        .filteredOn(r -> "u2".equals(r.getUserId()))
        .allSatisfy(r -> assertThat(ids(r)).doesNotContain("b"));
    assertThat(out).extracting(Recommendations::getUserId).contains("u1", "u2", "u3");
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(registry.get("streamrec.serving.freshness").timer().count()).isPositive();
  }

  @Test
  void shouldDeadLetterTrainingExamplesWithoutUserOrItem() {
    fourItems();
    examples.pipeInput("u1", (byte[]) null);
    examples.pipeInput((String) null, example("", "a", 1_000));
    examples.pipeInput("", example("", "a", 1_000));
    examples.pipeInput("u1", example("u1", "", 1_000));
    assertThat(deadLetterReasons())
        .containsExactly(
            UNDECODABLE,
            DeadLetterReason.INVALID_USER_ID.tag(),
            DeadLetterReason.INVALID_USER_ID.tag(),
            DeadLetterReason.INVALID_ITEM_ID.tag());
    assertThat(recs.isEmpty()).isTrue();
    examples.pipeInput((String) null, example("u9", "a", 1_000));
    tick();
    assertThat(recs.readValuesToList())
        .extracting(Recommendations::getUserId)
        .containsExactly("u9");
  }

  @Test
  void shouldClampRequestedKToTheDocumentedRange() {
    fourItems();
    users.pipeInput("u1", EMB.encode(emb("u1", 5, 1_000, 0f, 1, 0)));
    requests.pipeInput("u1", request("u1", 0, "zero"));
    requests.pipeInput("u1", request("u1", -1, "negative"));
    requests.pipeInput("u1", request("u1", 1_000_000, "million"));
    requests.pipeInput("u1", request("u1", Integer.MIN_VALUE, "min"));
    requests.pipeInput("", request("", 3, "no-user"));
    List<Recommendations> out = recs.readValuesToList();
    assertThat(out)
        .extracting(Recommendations::getRequestId)
        .containsExactly("zero", "negative", "million", "min");
    assertThat(out).extracting(r -> r.getItems().size()).containsExactly(3, 3, 4, 3);
    assertThat(deadLetterReasons()).containsExactly(DeadLetterReason.INVALID_REQUEST.tag());
    assertThat(config.clampK(1_000_000)).isEqualTo(config.maxK());
  }
}
