package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The streaming form of {@code MinCountFilter(min)} on users. Input: valid events keyed by user id (the record key
 * equals {@code userId}); output: {@link TrainingExample}s with the same key.
 *
 * <p>Per event: a repeat of an accepted (user, item, event time) is dropped and counted; otherwise the user's count
 * grows by one. Until the count reaches {@code min}, the event is held in the user's state. The event that reaches
 * {@code min} releases the held events and itself, sorted by event time (stable: ties keep arrival order), with
 * {@code userInteractions} = 1..min. Later events pass straight through with the new count. With {@code min = 1}
 * nothing is ever held. The held buffer is bounded by {@code min - 1} events per user.
 *
 * <p>Output record timestamps are the triggering input record's timestamp (event times, which may be years old,
 * stay in the value, so topic retention does not delete fresh output).
 *
 * <p>Decoded-state cache: the processor keeps the {@link UserState} objects of up to {@value #CACHE_USERS} recently
 * seen users of its task (least recently used evicted), so an event costs one decode only when its user is not
 * cached. Every change is still written to the store at once ({@code store.put}, which encodes the state cheaply, see
 * {@link UserStateSerde}), so the store, its changelog and the transaction stay the source of truth and the cache only
 * ever holds what the store holds. The cache is cleared in {@link #init} and {@link #close}: Kafka Streams closes a
 * task (dirty, after an aborted transaction, or on revocation) before its store is rolled back or restored, and
 * re-initializes the processor before a revived task processes again, so a cached state never outlives the
 * transaction that produced it.
 */
final class MinCountProcessor implements FixedKeyProcessor<String, RatingEvent, TrainingExample> {

    /** Name of the persistent, changelogged RocksDB store of {@link UserState} by user id. */
    static final String STORE = "user-state-store";

    /** Users whose decoded state one task keeps (about 1-10 KB each for MovieLens-sized histories). */
    static final int CACHE_USERS = 10_000;

    private final int min;
    private final IngestMetrics metrics;
    private FixedKeyProcessorContext<String, TrainingExample> context;
    private KeyValueStore<String, UserState> store;
    private final Map<String, UserState> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, UserState> eldest) {
            return size() > CACHE_USERS;
        }
    };

    MinCountProcessor(int min, IngestMetrics metrics) {
        this.min = min;
        this.metrics = metrics;
    }

    /** Supplies one processor per task and declares {@link #STORE}. */
    static FixedKeyProcessorSupplier<String, RatingEvent, TrainingExample> supplier(int min, IngestMetrics metrics) {
        return new FixedKeyProcessorSupplier<>() {
            @Override
            public FixedKeyProcessor<String, RatingEvent, TrainingExample> get() {
                return new MinCountProcessor(min, metrics);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(storeBuilder());
            }
        };
    }

    /** A persistent RocksDB key-value store, changelogged (the default), with a record cache. */
    static StoreBuilder<KeyValueStore<String, UserState>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), new UserStateSerde())
                .withCachingEnabled();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, TrainingExample> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        cache.clear();
    }

    @Override
    public void close() {
        cache.clear();
    }

    @Override
    public void process(FixedKeyRecord<String, RatingEvent> record) {
        RatingEvent e = record.value();
        String user = record.key();
        long ts = e.getTimestamp().toEpochMilli();
        UserState state = cache.get(user);
        if (state == null) {
            state = store.get(user);
            if (state == null) {
                state = new UserState();
            }
            cache.put(user, state);
        }
        if (state.isDuplicate(e.getItemId(), ts)) {
            metrics.duplicate();
            return;
        }
        int count = state.record(e.getItemId(), ts);
        if (count < min) {
            state.hold(e.getItemId(), e.getRating(), ts);
            store.put(user, state);
            metrics.held();
            return;
        }
        if (count == min && min > 1) {
            state.hold(e.getItemId(), e.getRating(), ts);
            List<UserState.HeldEvent> release = state.drainHeld();
            store.put(user, state);
            metrics.userQualified();
            int n = count - release.size();
            for (UserState.HeldEvent h : release) {
                forward(record, user, h.itemId(), h.rating(), h.timestamp(), ++n);
            }
            metrics.examples(release.size());
            return;
        }
        if (count == 1) {
            metrics.userQualified();
        }
        store.put(user, state);
        forward(record, user, e.getItemId(), e.getRating(), ts, count);
        metrics.examples(1);
    }

    private void forward(FixedKeyRecord<String, RatingEvent> trigger, String user, String item, float rating,
                         long ts, int interactions) {
        // the all-args constructor: the builder's per-field default-value checks are measurable per event
        TrainingExample out = new TrainingExample(user, item, rating, Instant.ofEpochMilli(ts), interactions);
        context.forward(trigger.withValue(out));
    }
}
