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
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The decoded-state cache of {@link MinCountProcessor} never outlives a task's incarnation: after the store is rolled
 * back (an aborted transaction restores the changelog's committed state), the re-initialized processor reads the
 * store again instead of its cached, now uncommitted, state.
 */
class MinCountProcessorCacheTest {
    private final Map<String, byte[]> storeBytes = new HashMap<>();
    private final List<TrainingExample> forwarded = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private final KeyValueStore<String, UserState> store = (KeyValueStore<String, UserState>) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "get":
                        byte[] b = storeBytes.get((String) args[0]);
                        return b == null ? null : UserStateSerde.decode(b);
                    case "put":
                        storeBytes.put((String) args[0], UserStateSerde.encode((UserState) args[1]));
                        return null;
                    case "name":
                        return MinCountProcessor.STORE;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });

    @SuppressWarnings("unchecked")
    private final FixedKeyProcessorContext<String, TrainingExample> context =
            (FixedKeyProcessorContext<String, TrainingExample>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {FixedKeyProcessorContext.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "getStateStore":
                                return store;
                            case "forward":
                                forwarded.add((TrainingExample) ((FixedKeyRecord<?, ?>) args[0]).value());
                                return null;
                            default:
                                throw new UnsupportedOperationException(method.getName());
                        }
                    });

    private static FixedKeyRecord<String, RatingEvent> event(String user, String item, long ts) {
        return InternalFixedKeyRecordFactory.create(new Record<>(user,
                new RatingEvent(user, item, 4f, Instant.ofEpochMilli(ts), null), ts, new RecordHeaders()));
    }

    @Test
    void shouldReadTheStoreAgainAfterARollbackAndReinitialization() {
        MinCountProcessor p = new MinCountProcessor(1, new IngestMetrics(new SimpleMeterRegistry()));
        p.init(context);
        p.process(event("u1", "a", 1000));
        Map<String, byte[]> committed = new HashMap<>(storeBytes);
        p.process(event("u1", "b", 2000));
        assertThat(forwarded).extracting(TrainingExample::getUserInteractions).containsExactly(1, 2);

        // the transaction holding "b" aborts: the task is closed dirty, its store restored to the committed state,
        // and the same processor instance is re-initialized when the task is revived
        p.close();
        storeBytes.clear();
        storeBytes.putAll(committed);
        p.init(context);
        p.process(event("u1", "b", 2000));
        assertThat(forwarded.get(2).getUserInteractions()).as("not a duplicate, count from the store").isEqualTo(2);

        // a revival without close() (init only) also drops the cache
        storeBytes.clear();
        storeBytes.putAll(committed);
        p.init(context);
        p.process(event("u1", "c", 3000));
        assertThat(forwarded.get(3).getUserInteractions()).isEqualTo(2);
        assertThat(UserStateSerde.decode(storeBytes.get("u1")).hasItem("b")).isFalse();
    }

    @Test
    void shouldServeRepeatedEventsOfAUserFromTheCacheAndStillWriteEveryChange() {
        MinCountProcessor p = new MinCountProcessor(3, new IngestMetrics(new SimpleMeterRegistry()));
        p.init(context);
        p.process(event("u1", "a", 1000));
        p.process(event("u1", "b", 2000));
        UserState stored = UserStateSerde.decode(storeBytes.get("u1"));
        assertThat(stored.interactionCount()).isEqualTo(2);
        assertThat(stored.held()).hasSize(2);
        // a store edited behind the processor's back is not seen while the task lives: the cache is authoritative
        // between init() and close(), as the processor is the store's only writer
        storeBytes.remove("u1");
        p.process(event("u1", "c", 3000));
        assertThat(forwarded).extracting(TrainingExample::getItemId).containsExactly("a", "b", "c");
        assertThat(UserStateSerde.decode(storeBytes.get("u1")).interactionCount()).isEqualTo(3);
    }
}
