package io.streamrec.streams.serving;

import io.streamrec.avro.Trigger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serve node. Inputs: typed {@link ServingInput}s from the three decode nodes (keyed by user
 * id, co-partitioned). Outputs: {@link ServedList}s to the recommendations sink and this task's
 * popularity of the items it counted to the popularity sink.
 *
 * <p>Emitting: an interaction or a user-embedding update changes the user's state in the stores at
 * once. When an interaction is fresh (produced at most {@code serving.immediate.max.age.ms} before
 * it is processed: serving keeps up), the user's list is emitted at once, so every event of a burst
 * gets its own list, up to {@code serving.immediate.max.per.second} such lists per task. An older
 * interaction (serving is behind: a backlog), one over that budget, and every user-embedding update
 * mark the user pending instead, and a wall-clock punctuator every {@code serving.debounce.ms}
 * emits one list per pending user, reflecting every event since the user's previous list ({@code
 * coalescedEvents}, also counted in {@code streamrec.serving.coalesced.events}): the cost of a
 * backlog is one list per user and period, not one per event. A request emits at once (and clears
 * the user's pending mark). The pending marks are in {@value ServingNames#PENDING_LISTS_STORE}
 * (changelogged, written with the state they describe), so a crash between a commit and the next
 * punctuation re-emits them after the restart: no event is ever committed without a list that
 * reflects it.
 *
 * <p>Per task, the decoded histories and vectors of recent users are kept in memory (bounded LRU,
 * cleared whenever the task is initialised, so a revived task cannot see stale entries); the stores
 * are written through on every change, with Kafka Streams' record cache merging the writes of one
 * commit interval into one changelog record.
 */
final class ServeProcessor implements Processor<String, ServingInput, String, ServingOutput> {
  private static final Logger log = LoggerFactory.getLogger(ServeProcessor.class);
  private static final UserVector NO_VECTOR = new UserVector(new float[0], -1, Long.MIN_VALUE);

  /** The supplier that declares the node's stores. */
  static final class Supplier
      implements ProcessorSupplier<String, ServingInput, String, ServingOutput> {
    private final ServingDependencies deps;

    Supplier(final ServingDependencies deps) {
      this.deps = deps;
    }

    @Override
    public Processor<String, ServingInput, String, ServingOutput> get() {
      return new ServeProcessor(deps);
    }

    @Override
    public Set<StoreBuilder<?>> stores() {
      // An ordered set: Set.of iterates in a per-JVM random order, which would make describe()
      // unstable.
      return new LinkedHashSet<>(
          List.of(
              Stores.keyValueStoreBuilder(
                      Stores.persistentKeyValueStore(ServingNames.USER_EMBEDDING_STORE),
                      Serdes.String(),
                      UserVector.SERDE)
                  .withCachingEnabled(),
              Stores.keyValueStoreBuilder(
                      Stores.persistentKeyValueStore(ServingNames.USER_HISTORY_STORE),
                      Serdes.String(),
                      UserHistory.SERDE)
                  .withCachingEnabled(),
              Stores.keyValueStoreBuilder(
                      Stores.persistentKeyValueStore(ServingNames.PARTITION_POPULARITY_STORE),
                      Serdes.String(),
                      Serdes.ByteArray())
                  .withCachingEnabled(),
              Stores.keyValueStoreBuilder(
                      Stores.persistentKeyValueStore(ServingNames.PENDING_LISTS_STORE),
                      Serdes.String(),
                      Serdes.Long())
                  .withCachingEnabled()));
    }
  }

  private final ServingConfig config;
  private final Recommender recommender;
  private final ItemMatrix items;
  private final ServingMetrics metrics;
  private final ItemSearch.Scratch scratch = new ItemSearch.Scratch();
  private ProcessorContext<String, ServingOutput> context;
  private KeyValueStore<String, UserVector> vectorStore;
  private KeyValueStore<String, UserHistory> historyStore;
  private KeyValueStore<String, byte[]> popularityStore;
  private KeyValueStore<String, Long> pendingStore;
  private Map<String, UserHistory> histories;
  private Map<String, UserVector> vectors;
  private Map<String, Long> pending;
  private Map<String, byte[]> touchedItems;
  private PopularityTracker popularity;
  private FreshnessClocks clocks;
  private ListBudget immediateBudget;
  private int partition;

  ServeProcessor(final ServingDependencies deps) {
    this.config = deps.config();
    this.recommender = deps.recommender();
    this.items = deps.items();
    this.metrics = deps.metrics();
  }

  @Override
  public void init(final ProcessorContext<String, ServingOutput> context) {
    this.context = context;
    this.vectorStore = context.getStateStore(ServingNames.USER_EMBEDDING_STORE);
    this.historyStore = context.getStateStore(ServingNames.USER_HISTORY_STORE);
    this.popularityStore = context.getStateStore(ServingNames.PARTITION_POPULARITY_STORE);
    this.pendingStore = context.getStateStore(ServingNames.PENDING_LISTS_STORE);
    this.partition = context.taskId().partition();
    this.histories = lru(config.userCacheEntries());
    this.vectors = lru(config.userCacheEntries());
    this.pending = new LinkedHashMap<>();
    this.touchedItems = new LinkedHashMap<>();
    this.popularity = new PopularityTracker(config.popularityHalfLife());
    this.clocks = new FreshnessClocks(metrics, config.userCacheEntries());
    this.immediateBudget =
        new ListBudget(config.immediateMaxPerSecond(), context.currentSystemTimeMs());
    final KeyValueStore<String, byte[]> published =
        context.getStateStore(ServingNames.ITEM_POPULARITY_STORE);
    try (KeyValueIterator<String, byte[]> it = popularityStore.all()) {
      while (it.hasNext()) {
        final var kv = it.next();
        popularity.restore(
            kv.key,
            PopularityCodec.log2Count(kv.value),
            PopularityCodec.newestEventTimeMs(kv.value));
        // Counted and committed, but maybe not yet published when the task stopped: publish again.
        if (!Arrays.equals(kv.value, published.get(PopularityCodec.key(partition, kv.key)))) {
          touchedItems.put(kv.key, kv.value);
        }
      }
    }
    try (KeyValueIterator<String, Long> it = pendingStore.all()) {
      while (it.hasNext()) {
        final var kv = it.next();
        pending.put(kv.key, kv.value);
      }
    }
    context.schedule(config.debounce(), PunctuationType.WALL_CLOCK_TIME, this::emitPending);
    log.info(
        "Serving task {} ready: {} popular items, {} pending lists, {} popularity updates to publish",
        context.taskId(),
        popularity.size(),
        pending.size(),
        touchedItems.size());
  }

  @Override
  public void process(final Record<String, ServingInput> record) {
    final ServingInput in = record.value();
    if (in instanceof ServingInput.Interaction i) {
      clocks.arrived(i.userId(), i.eventTimeMs(), record.timestamp());
      onInteraction(i, record.timestamp());
    } else if (in instanceof ServingInput.UserEmbedding e) {
      onUserEmbedding(e);
    } else if (in instanceof ServingInput.Request r) {
      onRequest(r, record.timestamp());
    }
  }

  private void onInteraction(final ServingInput.Interaction i, final long producedAt) {
    items.advanceStreamTime(i.eventTimeMs());
    final UserHistory h = history(i.userId());
    if (h.add(i.itemId(), i.eventTimeMs())) {
      historyStore.put(i.userId(), h);
    }
    // An event from the future counts as happening now, so one bad timestamp cannot own the
    // fallback forever.
    final long t = Math.min(i.eventTimeMs(), context.currentSystemTimeMs());
    final double log2Count = popularity.add(i.itemId(), t);
    final byte[] value = PopularityCodec.encode(log2Count, popularity.newestEventTimeMs());
    popularityStore.put(i.itemId(), value);
    touchedItems.put(i.itemId(), value);
    emitOrMarkPending(
        i.userId(), PendingEvents.addInteraction(pending.getOrDefault(i.userId(), 0L)), producedAt);
  }

  private void onUserEmbedding(final ServingInput.UserEmbedding e) {
    if (e.vector() == null) {
      vectorStore.delete(e.userId());
      vectors.put(e.userId(), NO_VECTOR);
      return;
    }
    vectorStore.put(e.userId(), e.vector());
    vectors.put(e.userId(), e.vector());
    // Always coalesced: the trainer republishes most users every publish interval (replay steps
    // touch them), so a
    // list per update would cost a list per user and publish; the period bounds the model clock's
    // share instead.
    markPending(e.userId(), PendingEvents.addEmbeddingUpdate(pending.getOrDefault(e.userId(), 0L)));
  }

  private void onRequest(final ServingInput.Request r, final long timestamp) {
    final Long p = pending.remove(r.userId());
    if (p != null) {
      pendingStore.delete(r.userId());
    }
    final ServedList list =
        recommender.recommend(
            r.userId(),
            vector(r.userId()),
            history(r.userId()),
            r.k(),
            Trigger.REQUEST,
            r.requestId(),
            p == null ? 0 : PendingEvents.total(p),
            context.currentSystemTimeMs(),
            scratch);
    if (p != null) {
      metrics.coalesced(PendingEvents.total(p));
    }
    clocks.emitted(r.userId(), list.embeddingEventTimeMs(), context.currentSystemTimeMs());
    context.forward(
        new Record<String, ServingOutput>(r.userId(), list, timestamp),
        ServingNames.SINK_RECOMMENDATIONS);
  }

  /**
   * Emits the user's list now when the record that changed the user was produced at most {@code
   * serving.immediate.max.age.ms} ago (0 = never), else leaves {@code events} pending for the
   * punctuator.
   */
  private void emitOrMarkPending(final String user, final long events, final long producedAt) {
    final long now = context.currentSystemTimeMs();
    final long maxAge = config.immediateMaxAge().toMillis();
    if (maxAge > 0 && now - producedAt <= maxAge && immediateBudget.take(now)) {
      if (pending.remove(user) != null) {
        pendingStore.delete(user);
      }
      emit(user, events, now);
      return;
    }
    markPending(user, events);
  }

  private void markPending(final String user, final long events) {
    pending.put(user, events);
    pendingStore.put(user, events);
  }

  private void emit(final String user, final long p, final long now) {
    final Trigger trigger =
        PendingEvents.interactions(p) > 0 ? Trigger.INTERACTION : Trigger.EMBEDDING_UPDATE;
    final ServedList list =
        recommender.recommend(
            user,
            vector(user),
            history(user),
            config.defaultK(),
            trigger,
            null,
            PendingEvents.total(p),
            now,
            scratch);
    metrics.coalesced(PendingEvents.total(p));
    clocks.emitted(user, list.embeddingEventTimeMs(), now);
    context.forward(
        new Record<String, ServingOutput>(user, list, now), ServingNames.SINK_RECOMMENDATIONS);
  }

  private void emitPending(final long now) {
    if (!pending.isEmpty()) {
      final List<String> users = new ArrayList<>(pending.keySet());
      for (String user : users) {
        emit(user, pending.get(user), now);
        pendingStore.delete(user);
      }
      pending.clear();
    }
    if (!touchedItems.isEmpty()) {
      for (Map.Entry<String, byte[]> e : touchedItems.entrySet()) {
        context.forward(
            new Record<String, ServingOutput>(
                PopularityCodec.key(partition, e.getKey()),
                new ServingOutput.PopularityUpdate(e.getValue()),
                now),
            ServingNames.SINK_POPULARITY);
      }
      touchedItems.clear();
    }
  }

  private UserHistory history(final String user) {
    UserHistory h = histories.get(user);
    if (h == null) {
      h = historyStore.get(user);
      if (h == null) {
        h = UserHistory.empty();
      }
      histories.put(user, h);
    }
    return h;
  }

  private UserVector vector(final String user) {
    UserVector v = vectors.get(user);
    if (v == null) {
      v = vectorStore.get(user);
      vectors.put(user, v == null ? NO_VECTOR : v);
    }
    return v == NO_VECTOR ? null : v;
  }

  private static <V> Map<String, V> lru(final int maxEntries) {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(final Map.Entry<String, V> eldest) {
        return size() > maxEntries;
      }
    };
  }
}
