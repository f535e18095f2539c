package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * {@link UserStateStore} writes each dirty user once per flush (commit) and its decoded states
 * never outlive a task's incarnation: after the store is rolled back (an aborted transaction
 * restores the changelog's committed state) and the task re-initialized, the processor reads the
 * inner store again instead of the cached, uncommitted state. The inner store here is the
 * serialized bytes (what RocksDB and the changelog would hold), counting its writes.
 */
class UserStateStoreTest {
  private final Map<String, byte[]> storeBytes = new HashMap<>();
  private int innerPuts;
  private final List<TrainingExample> forwarded = new ArrayList<>();

  @SuppressWarnings("unchecked")
  private final KeyValueStore<String, UserState> inner =
      (KeyValueStore<String, UserState>)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {KeyValueStore.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "get":
                    byte[] b = storeBytes.get((String) args[0]);
                    return b == null ? null : UserStateSerde.decode(b);
                  case "put":
                    innerPuts++;
                    storeBytes.put((String) args[0], UserStateSerde.encode((UserState) args[1]));
                    return null;
                  case "name":
                    return MinCountProcessor.STORE;
                  case "init":
                  case "close":
                    return null;
                  default:
                    throw new UnsupportedOperationException(method.getName());
                }
              });

  private final UserStateStore store = new UserStateStore(inner);

  @SuppressWarnings("unchecked")
  private final ProcessorContext<String, TrainingExample> context =
      (ProcessorContext<String, TrainingExample>)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {ProcessorContext.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "getStateStore":
                    return store;
                  case "forward":
                    forwarded.add((TrainingExample) ((Record<?, ?>) args[0]).value());
                    return null;
                  default:
                    throw new UnsupportedOperationException(method.getName());
                }
              });

  /** What Kafka Streams does to a task's stores at a commit, before the transaction commits. */
  private void commit() {
    store.flushCache();
  }

  /**
   * A dirty close after an aborted transaction: the store is closed and restored, the task
   * re-initialized.
   */
  private void abortAndRevive(MinCountProcessor p, Map<String, byte[]> committed) {
    store.close();
    storeBytes.clear();
    storeBytes.putAll(committed);
    store.init(null, store);
    p.init(context);
  }

  private static Record<String, RatingEvent> event(String user, String item, long ts) {
    return new Record<>(
        user,
        new RatingEvent(user, item, 4f, Instant.ofEpochMilli(ts), null),
        ts,
        new RecordHeaders());
  }

  @Test
  void shouldReadTheStoreAgainAfterARollbackAndReinitialization() {
    MinCountProcessor p = new MinCountProcessor(1, new IngestMetrics(new SimpleMeterRegistry()));
    store.init(null, store);
    p.init(context);
    p.process(event("u1", "a", 1000));
    commit();
    Map<String, byte[]> committed = new HashMap<>(storeBytes);
    p.process(event("u1", "b", 2000));
    assertThat(forwarded).extracting(TrainingExample::getUserInteractions).containsExactly(1, 2);

    // the transaction holding "b" aborts: the task is closed dirty, its store restored to the
    // committed state,
    // and the same processor instance is re-initialized when the task is revived
    abortAndRevive(p, committed);
    p.process(event("u1", "b", 2000));
    assertThat(forwarded.get(2).getUserInteractions())
        .as("not a duplicate, count from the store")
        .isEqualTo(2);

    // a revival where the store is only re-initialized (no close) also drops the decoded states
    storeBytes.clear();
    storeBytes.putAll(committed);
    store.init(null, store);
    p.init(context);
    p.process(event("u1", "c", 3000));
    commit();
    assertThat(forwarded.get(3).getUserInteractions()).isEqualTo(2);
    assertThat(UserStateSerde.decode(storeBytes.get("u1")).hasItem("b")).isFalse();
    assertThat(UserStateSerde.decode(storeBytes.get("u1")).hasItem("c")).isTrue();
  }

  @Test
  void shouldWriteEachDirtyUserOncePerCommitWithItsLatestState() {
    MinCountProcessor p = new MinCountProcessor(3, new IngestMetrics(new SimpleMeterRegistry()));
    store.init(null, store);
    p.init(context);
    p.process(event("u1", "a", 1000));
    p.process(event("u1", "b", 2000));
    p.process(event("u2", "a", 1000));
    assertThat(innerPuts).as("nothing written before the commit").isZero();
    commit();
    assertThat(innerPuts).isEqualTo(2);
    UserState stored = UserStateSerde.decode(storeBytes.get("u1"));
    assertThat(stored.interactionCount()).isEqualTo(2);
    assertThat(stored.held()).hasSize(2);
    commit();
    assertThat(innerPuts).as("nothing dirty").isEqualTo(2);

    // between commits the decoded state is authoritative (the processor is the store's only writer)
    storeBytes.remove("u1");
    p.process(event("u1", "c", 3000));
    assertThat(forwarded).extracting(TrainingExample::getItemId).containsExactly("a", "b", "c");
    assertThat(store.get("u1").interactionCount()).isEqualTo(3);
    commit();
    assertThat(UserStateSerde.decode(storeBytes.get("u1")).interactionCount()).isEqualTo(3);
    assertThat(innerPuts).isEqualTo(3);
  }

  @Test
  void shouldDropUncommittedStatesOnCloseAndReadTheInnerStoreAfterwards() {
    store.init(null, store);
    UserState s = new UserState();
    s.record("a", 1000);
    store.put("u1", s);
    assertThat(store.get("u1")).isSameAs(s);
    store.close();
    assertThat(innerPuts).isZero();
    store.init(null, store);
    assertThat(store.get("u1")).isNull();
    store.put("u1", s);
    commit();
    store.clearCache();
    assertThat(store.get("u1")).isNotSameAs(s);
    assertThat(store.get("u1").hasItem("a")).isTrue();
  }

  @Test
  void shouldWriteOnlyTheLatestStateOnceWhenADirtyKeyIsPutAgain() {
    store.init(null, store);
    UserState first = new UserState();
    first.record("a", 1000);
    store.put("u1", first);
    store.put(new String("u1"), first); // an equal key of another record: still one dirty entry
    UserState second = new UserState();
    second.record("b", 2000);
    store.put("u1", second);
    commit();
    assertThat(innerPuts).isEqualTo(1);
    assertThat(UserStateSerde.decode(storeBytes.get("u1")).hasItem("b")).isTrue();

    // a replaced object is no longer dirty: putting it again makes it the cached, dirty state
    store.put("u1", first);
    commit();
    assertThat(innerPuts).isEqualTo(2);
    assertThat(UserStateSerde.decode(storeBytes.get("u1")).hasItem("a")).isTrue();
    commit();
    assertThat(innerPuts).as("clean after the flush").isEqualTo(2);
  }

  @Test
  void shouldEvictStatesUnusedSinceTheFlushBeforeWhenMoreThanTheLimitAreCached() {
    store.init(null, store);
    List<UserState> states = new ArrayList<>();
    for (int i = 0; i < UserStateStore.CLEAN_USERS; i++) {
      UserState s = new UserState();
      s.record("a" + i, 1000);
      states.add(s);
      store.put("u" + i, s);
    }
    commit();
    assertThat(store.get("u0")).as("at the limit nothing is evicted").isSameAs(states.get(0));
    for (int i = 0; i < 100; i++) {
      UserState s = new UserState();
      s.record("b", 2000);
      store.put("new" + i, s);
    }
    commit();
    assertThat(store.get("u0")).as("used since the last flush: kept").isSameAs(states.get(0));
    UserState reread = store.get("u5");
    assertThat(reread).as("unused since the flush before: evicted, read again").isNotNull();
    assertThat(reread).isNotSameAs(states.get(5));
    assertThat(reread.hasItem("a5")).isTrue();
    assertThat(innerPuts).isEqualTo(UserStateStore.CLEAN_USERS + 100);
  }
}
