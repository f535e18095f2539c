package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.Trigger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serve node alone, on a {@link MockProcessorContext} with in-memory stores. */
@SuppressWarnings("unchecked")
class ServeProcessorTest {
  private static final long NOW = 1_800_000_000_000L;

  @TempDir Path stateDir;

  private ServingDependencies deps;
  private MockProcessorContext<String, ServingOutput> context;

  @BeforeEach
  void setUp() {
    ServingConfig config =
        ServingConfig.of(Map.of("serving.state.dir", stateDir.toString(), "serving.k", "2"));
    deps =
        ServingDependencies.create(
            config,
            new ServingMetrics(new SimpleMeterRegistry()),
            (topic, partition, offset, key, value, reason, error) -> {},
            Clock.systemUTC());
    deps.items().upsert("a", new float[] {3, 0}, 0f, 4);
    deps.items().upsert("b", new float[] {2, 0}, 0f, 6);
    deps.items().upsert("c", new float[] {1, 0}, 0f, 5);
    context = new MockProcessorContext<>();
    addStore(ServingNames.USER_EMBEDDING_STORE, UserVector.SERDE);
    addStore(ServingNames.USER_HISTORY_STORE, UserHistory.SERDE);
    addStore(ServingNames.PARTITION_POPULARITY_STORE, Serdes.ByteArray());
    addStore(ServingNames.PENDING_LISTS_STORE, Serdes.Long());
    addStore(ServingNames.ITEM_POPULARITY_STORE, Serdes.ByteArray());
    context.setCurrentSystemTimeMs(NOW);
  }

  @AfterEach
  void tearDown() {
    deps.close();
  }

  private <V> void addStore(String name, Serde<V> serde) {
    KeyValueStore<String, V> store =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), serde)
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private ServeProcessor started() {
    ServeProcessor p = new ServeProcessor(deps);
    p.init(context);
    return p;
  }

  private void punctuate() {
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
  }

  private List<ServedList> lists() {
    return context.forwarded().stream()
        .filter(f -> f.record().value() instanceof ServedList)
        .map(f -> (ServedList) f.record().value())
        .toList();
  }

  private static Record<String, ServingInput> in(ServingInput i) {
    return new Record<>("u1", i, 0L);
  }

  @Test
  void shouldEmitOneListPerPendingUserAtThePunctuationWithTheContextsTime() {
    ServeProcessor p = started();
    p.process(in(new ServingInput.UserEmbedding("u1", new UserVector(new float[] {1, 0}, 7, 900))));
    p.process(in(new ServingInput.Interaction("u1", "a", 1_000)));
    p.process(in(new ServingInput.Interaction("u1", "a", 1_100)));
    assertThat(lists()).isEmpty();
    assertThat(context.scheduledPunctuators())
        .singleElement()
        .satisfies(s -> assertThat(s.getInterval()).isEqualTo(deps.config().debounce()));
    context.setCurrentSystemTimeMs(NOW + 100);
    punctuate();
    assertThat(lists())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.itemIds()).containsExactly("b", "c");
              assertThat(l.trigger()).isEqualTo(Trigger.INTERACTION);
              assertThat(l.coalescedEvents()).isEqualTo(3);
              assertThat(l.generatedAtMs()).isEqualTo(NOW + 100);
              assertThat(l.modelVersion()).isEqualTo(7);
              assertThat(l.userEventTimeMs()).isEqualTo(1_100L);
              assertThat(l.embeddingEventTimeMs()).isEqualTo(900L);
            });
    List<CapturedForward<? extends String, ? extends ServingOutput>> popularity =
        context.forwarded().stream()
            .filter(f -> f.record().value() instanceof ServingOutput.PopularityUpdate)
            .toList();
    assertThat(popularity)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.childName()).contains(ServingNames.SINK_POPULARITY);
              assertThat(f.record().key()).isEqualTo("0/a");
            });
    context.resetForwards();
    punctuate();
    assertThat(context.forwarded()).isEmpty();
  }

  @Test
  void shouldReemitPendingListsAfterARestartBeforeThePunctuation() {
    ServeProcessor p = started();
    p.process(in(new ServingInput.Interaction("u1", "a", 1_000)));
    p.process(in(new ServingInput.Interaction("u1", "b", 1_001)));
    p.close();
    // A new processor on the same (committed) stores, as after a crash between a commit and the
    // punctuation.
    context.resetForwards();
    MockProcessorContext<String, ServingOutput> fresh = context;
    ServeProcessor restarted = new ServeProcessor(deps);
    restarted.init(fresh);
    fresh
        .scheduledPunctuators()
        .get(fresh.scheduledPunctuators().size() - 1)
        .getPunctuator()
        .punctuate(NOW);
    assertThat(lists())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.userId()).isEqualTo("u1");
              assertThat(l.coalescedEvents()).isEqualTo(2);
              assertThat(l.fallback()).isTrue();
              assertThat(l.itemIds()).doesNotContain("a", "b");
            });
  }

  @Test
  void shouldAnswerRequestsAtOnceAndClearThePendingMark() {
    ServeProcessor p = started();
    p.process(in(new ServingInput.UserEmbedding("u1", new UserVector(new float[] {1, 0}, 1, 900))));
    p.process(in(new ServingInput.Request("u1", 3, "req-1")));
    assertThat(lists())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.requestId()).isEqualTo("req-1");
              assertThat(l.trigger()).isEqualTo(Trigger.REQUEST);
              assertThat(l.itemIds()).containsExactly("a", "b", "c");
              assertThat(l.coalescedEvents()).isEqualTo(1);
            });
    context.resetForwards();
    punctuate();
    assertThat(lists()).isEmpty();
  }

  private static Record<String, ServingInput> at(ServingInput i, long producedAt) {
    return new Record<>("u1", i, producedAt);
  }

  @Test
  void shouldEmitAtOnceForFreshRecordsSoEveryEventOfABurstHasItsOwnList() {
    ServeProcessor p = started();
    p.process(
        at(new ServingInput.UserEmbedding("u1", new UserVector(new float[] {1, 0}, 2, 900)), 0L));
    assertThat(lists()).isEmpty();
    long fresh = NOW - deps.config().immediateMaxAge().toMillis();
    p.process(at(new ServingInput.Interaction("u1", "a", 1_000), fresh));
    p.process(at(new ServingInput.Interaction("u1", "b", 1_100), NOW - 1));
    assertThat(lists()).hasSize(2);
    assertThat(lists().get(0))
        .satisfies(
            l -> {
              assertThat(l.userEventTimeMs()).isEqualTo(1_000L);
              assertThat(l.itemIds()).containsExactly("b", "c");
              assertThat(l.trigger()).isEqualTo(Trigger.INTERACTION);
              assertThat(l.coalescedEvents()).isEqualTo(2);
              assertThat(l.generatedAtMs()).isEqualTo(NOW);
            });
    assertThat(lists().get(1))
        .satisfies(
            l -> {
              assertThat(l.userEventTimeMs()).isEqualTo(1_100L);
              assertThat(l.itemIds()).containsExactly("c");
              assertThat(l.coalescedEvents()).isEqualTo(1);
            });
    assertThat(
            ((KeyValueStore<String, Long>) context.getStateStore(ServingNames.PENDING_LISTS_STORE))
                .get("u1"))
        .isNull();
    // a user-embedding update is always coalesced, however fresh
    p.process(
        at(
            new ServingInput.UserEmbedding("u1", new UserVector(new float[] {1, 0}, 3, 1_100)),
            NOW));
    assertThat(lists()).hasSize(2);
    context.resetForwards();
    punctuate();
    assertThat(lists())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.trigger()).isEqualTo(Trigger.EMBEDDING_UPDATE);
              assertThat(l.embeddingEventTimeMs()).isEqualTo(1_100L);
            });
  }

  @Test
  void shouldCoalesceRecordsOlderThanTheMaxAgeAndFlushThemWithTheNextFreshOne() {
    ServeProcessor p = started();
    long old = NOW - deps.config().immediateMaxAge().toMillis() - 1;
    p.process(at(new ServingInput.Interaction("u1", "a", 1_000), old));
    p.process(at(new ServingInput.Interaction("u1", "b", 1_001), old));
    assertThat(lists()).isEmpty();
    assertThat(
            ((KeyValueStore<String, Long>) context.getStateStore(ServingNames.PENDING_LISTS_STORE))
                .get("u1"))
        .isNotNull();
    p.process(at(new ServingInput.Interaction("u1", "c", 1_002), NOW));
    assertThat(lists())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.coalescedEvents()).isEqualTo(3);
              assertThat(l.userEventTimeMs()).isEqualTo(1_002L);
            });
    assertThat(
            ((KeyValueStore<String, Long>) context.getStateStore(ServingNames.PENDING_LISTS_STORE))
                .get("u1"))
        .isNull();
    context.resetForwards();
    punctuate();
    assertThat(lists()).isEmpty();
  }

  @Test
  void shouldAlwaysCoalesceWithMaxAgeZero() {
    deps.close();
    ServingConfig config =
        ServingConfig.of(
            Map.of(
                "serving.state.dir",
                stateDir.toString(),
                "serving.k",
                "2",
                "serving.immediate.max.age.ms",
                "0"));
    deps =
        ServingDependencies.create(
            config,
            new ServingMetrics(new SimpleMeterRegistry()),
            (topic, partition, offset, key, value, reason, error) -> {},
            Clock.systemUTC());
    deps.items().upsert("a", new float[] {3, 0}, 0f, 4);
    ServeProcessor p = started();
    p.process(at(new ServingInput.Interaction("u1", "a", 1_000), NOW));
    assertThat(lists()).isEmpty();
    punctuate();
    assertThat(lists())
        .singleElement()
        .satisfies(l -> assertThat(l.coalescedEvents()).isEqualTo(1));
  }

  @Test
  void shouldCoalesceFreshRecordsOverTheImmediateBudget() {
    deps.close();
    ServingConfig config =
        ServingConfig.of(
            Map.of(
                "serving.state.dir",
                stateDir.toString(),
                "serving.k",
                "2",
                "serving.immediate.max.per.second",
                "20"));
    deps =
        ServingDependencies.create(
            config,
            new ServingMetrics(new SimpleMeterRegistry()),
            (topic, partition, offset, key, value, reason, error) -> {},
            Clock.systemUTC());
    ServeProcessor p = started();
    for (int e = 0; e < 5; e++) {
      p.process(at(new ServingInput.Interaction("u1", "i" + e, 1_000 + e), NOW));
    }
    // a burst of 20 / 10 = 2 lists at once; the other 3 events wait for the period, in one list
    assertThat(lists()).hasSize(2);
    punctuate();
    assertThat(lists()).hasSize(3);
    assertThat(lists().get(2).coalescedEvents()).isEqualTo(3);
    assertThat(lists().get(2).userEventTimeMs()).isEqualTo(1_004L);
  }
}
