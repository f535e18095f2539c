package io.streamrec.streams.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * {@code user-state-store}: a write-back cache of <em>decoded</em> {@link UserState}s in front of a
 * persistent, changelogged RocksDB store (Kafka Streams' own record cache off). It replaces the
 * record cache, which serialized the user's whole state and copied it into the thread cache on
 * every event.
 *
 * <p>{@link #put} only remembers the (mutable) state object and marks the user dirty; {@link
 * #flushCache} writes every dirty user once to the inner store (so once to the changelog and
 * RocksDB). The dirty mark is on the state object itself ({@link UserState#dirtyUnder}: the key it
 * is dirty under, null when clean) plus a list of dirty keys, so the processor's {@code put} after
 * each event costs one string comparison when the user is already dirty, and no hash lookup (a
 * second hash structure of dirty keys cost about 5% of the ingest stream thread). {@link
 * #flushCache} is called by Kafka Streams at each commit <em>before</em> the producer is flushed
 * and the transaction committed, exactly when it flushes its record caches ({@code
 * ProcessorStateManager.flushCache}, for stores that implement {@link CachedStateStore}, registered
 * by the inner store under this outer store as the root). So under {@code exactly_once_v2} the
 * changelog records of a commit interval are in the same transaction as its outputs and input
 * offsets, as with the record cache. Clean states stay cached: when a flush leaves more than
 * {@value #CLEAN_USERS}, those not used since the flush before are dropped, then any, down to
 * {@value #CLEAN_USERS}; dirty ones are never evicted before the flush. {@link #close} and {@link
 * #clearCache} drop everything: Kafka Streams closes a task (also dirty, after an aborted
 * transaction) before its store is rolled back or restored, so a cached state never outlives the
 * transaction that produced it.
 *
 * <p>Ranges, {@code all} and counts flush first, then read the inner store. Interactive queries
 * (another thread) read under the same lock and see the current, possibly not yet committed, state,
 * as with the record cache; a returned {@link UserState} is the live object and must not be
 * modified by a reader.
 *
 * <p>{@link CachedStateStore} is internal to Kafka Streams (4.3.1 is pinned); {@code
 * UserStateStoreTest} and the exactly-once restart test ({@code IngestPipelineIT}) cover this
 * contract.
 */
final class UserStateStore
    implements KeyValueStore<String, UserState>, CachedStateStore<String, UserState> {

  /** Clean decoded states kept per task (about 1-10 KB each for MovieLens-sized histories). */
  static final int CLEAN_USERS = 10_000;

  private final KeyValueStore<String, UserState> inner;
  // the keys whose states are dirty, each once, in the order they became dirty
  private final List<String> dirty = new ArrayList<>();
  // a plain hash map: an access-ordered LinkedHashMap relinked an entry on every get (about a
  // third of the get's cost); recency is the flush count in UserState.usedAt instead
  private final Map<String, UserState> states = new HashMap<>(256);
  private int flushes;

  UserStateStore(KeyValueStore<String, UserState> inner) {
    this.inner = inner;
  }

  /**
   * The store's builder: the inner store is RocksDB, changelogged, without Kafka Streams' record
   * cache.
   */
  static StoreBuilder<KeyValueStore<String, UserState>> builder(String name) {
    StoreBuilder<KeyValueStore<String, UserState>> inner =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(name), Serdes.String(), new UserStateSerde())
            .withCachingDisabled();
    return new Builder(inner);
  }

  @Override
  public synchronized UserState get(String key) {
    UserState s = states.get(key);
    if (s == null) {
      s = inner.get(key);
      if (s == null) {
        return null;
      }
      states.put(key, s);
    }
    s.usedAt = flushes;
    return s;
  }

  @Override
  public synchronized void put(String key, UserState value) {
    if (value == null) {
      delete(key);
      return;
    }
    value.usedAt = flushes;
    if (key.equals(value.dirtyUnder)) {
      return; // the cached state, already dirty: it is written at the next flush
    }
    UserState old = states.put(key, value);
    if (old != null && old != value && key.equals(old.dirtyUnder)) {
      old.dirtyUnder = null; // replaced: the key is in the dirty list already
    } else {
      dirty.add(key);
    }
    value.dirtyUnder = key;
  }

  @Override
  public synchronized UserState putIfAbsent(String key, UserState value) {
    UserState old = get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  @Override
  public synchronized void putAll(List<KeyValue<String, UserState>> entries) {
    for (KeyValue<String, UserState> e : entries) {
      put(e.key, e.value);
    }
  }

  @Override
  public synchronized UserState delete(String key) {
    UserState old = get(key);
    states.remove(key);
    if (old != null && key.equals(old.dirtyUnder)) {
      old.dirtyUnder = null;
      dirty.remove(key);
    }
    inner.delete(key);
    return old;
  }

  @Override
  public synchronized KeyValueIterator<String, UserState> range(String from, String to) {
    flushCache();
    return inner.range(from, to);
  }

  @Override
  public synchronized KeyValueIterator<String, UserState> reverseRange(String from, String to) {
    flushCache();
    return inner.reverseRange(from, to);
  }

  @Override
  public synchronized KeyValueIterator<String, UserState> all() {
    flushCache();
    return inner.all();
  }

  @Override
  public synchronized KeyValueIterator<String, UserState> reverseAll() {
    flushCache();
    return inner.reverseAll();
  }

  @Override
  public synchronized long approximateNumEntries() {
    flushCache();
    return inner.approximateNumEntries();
  }

  /** Writes every dirty user once to the inner store (changelog, then RocksDB). */
  @Override
  public synchronized void flushCache() {
    if (dirty.isEmpty()) {
      return;
    }
    for (String key : dirty) {
      UserState s = states.get(key);
      inner.put(key, s);
      s.dirtyUnder = null;
    }
    dirty.clear();
    flushes++;
    if (states.size() > CLEAN_USERS) {
      evictCleanStates();
    }
  }

  /**
   * Beyond {@value #CLEAN_USERS} cached (all clean: just flushed) states, drops those not used
   * since the flush before last, then, if still too many, any until {@value #CLEAN_USERS} are left.
   */
  private void evictCleanStates() {
    int recent = flushes - 1;
    states.values().removeIf(s -> s.usedAt < recent);
    Iterator<UserState> it = states.values().iterator();
    while (states.size() > CLEAN_USERS && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  @Override
  public synchronized void clearCache() {
    for (String key : dirty) {
      states.get(key).dirtyUnder = null;
    }
    states.clear();
    dirty.clear();
  }

  @Override
  public boolean setFlushListener(
      CacheFlushListener<String, UserState> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public synchronized void init(StateStoreContext context, StateStore root) {
    clearCache();
    inner.init(context, root);
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    // after the transaction (checkpointing): the dirty states were written by flushCache before it
    inner.commit(changelogOffsets);
  }

  @Override
  public synchronized void close() {
    clearCache();
    inner.close();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public synchronized <R> QueryResult<R> query(
      Query<R> query, PositionBound bound, QueryConfig config) {
    flushCache();
    return inner.query(query, bound, config);
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }

  /** Builds a {@link UserStateStore} around the store the wrapped builder builds. */
  private static final class Builder implements StoreBuilder<KeyValueStore<String, UserState>> {
    private StoreBuilder<KeyValueStore<String, UserState>> inner;

    Builder(StoreBuilder<KeyValueStore<String, UserState>> inner) {
      this.inner = inner;
    }

    @Override
    public StoreBuilder<KeyValueStore<String, UserState>> withCachingEnabled() {
      return this; // this store is the cache
    }

    @Override
    public StoreBuilder<KeyValueStore<String, UserState>> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<String, UserState>> withLoggingEnabled(
        Map<String, String> config) {
      inner = inner.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<String, UserState>> withLoggingDisabled() {
      inner = inner.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<String, UserState> build() {
      return new UserStateStore(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
