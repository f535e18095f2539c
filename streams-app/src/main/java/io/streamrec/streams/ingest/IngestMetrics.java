package io.streamrec.streams.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The ingest topology's own meters (Kafka Streams' built-in metrics are bound separately by {@link IngestService}).
 * Every meter is registered up front so that dashboards see zeros rather than gaps.
 *
 * <ul>
 *   <li>{@code streamrec.dlq.records{stage=ingest,reason}}: records dead-lettered, by {@link RejectReason#tag()}</li>
 *   <li>{@code streamrec.ingest.records}: records read from the ratings topic (valid or not)</li>
 *   <li>{@code streamrec.ingest.duplicates}: valid events dropped as repeats of an accepted (user, item, time)</li>
 *   <li>{@code streamrec.ingest.held}: events held back because their user had not qualified yet</li>
 *   <li>{@code streamrec.ingest.users.qualified}: users that reached {@code ingest.min.user.interactions}</li>
 *   <li>{@code streamrec.ingest.examples}: training examples emitted (released or passed through)</li>
 * </ul>
 */
public final class IngestMetrics {
    public static final String DLQ_RECORDS = "streamrec.dlq.records";
    public static final String RECORDS = "streamrec.ingest.records";
    public static final String DUPLICATES = "streamrec.ingest.duplicates";
    public static final String HELD = "streamrec.ingest.held";
    public static final String USERS_QUALIFIED = "streamrec.ingest.users.qualified";
    public static final String EXAMPLES = "streamrec.ingest.examples";

    private final Map<RejectReason, Counter> deadLetters = new EnumMap<>(RejectReason.class);
    private final Counter records;
    private final Counter duplicates;
    private final Counter held;
    private final Counter usersQualified;
    private final Counter examples;

    public IngestMetrics(MeterRegistry registry) {
        for (RejectReason r : RejectReason.values()) {
            deadLetters.put(r, Counter.builder(DLQ_RECORDS).description("Records sent to a dead-letter topic")
                    .tag("stage", "ingest").tag("reason", r.tag()).register(registry));
        }
        records = Counter.builder(RECORDS).description("Records read from the ratings topic").register(registry);
        duplicates = Counter.builder(DUPLICATES).description("Repeated (user, item, event time) events dropped")
                .register(registry);
        held = Counter.builder(HELD).description("Events held back until their user qualifies").register(registry);
        usersQualified = Counter.builder(USERS_QUALIFIED).description("Users that reached the minimum count")
                .register(registry);
        examples = Counter.builder(EXAMPLES).description("Training examples emitted").register(registry);
    }

    void deadLetter(RejectReason reason) {
        deadLetters.get(reason).increment();
    }

    void record() {
        records.increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void held() {
        held.increment();
    }

    void userQualified() {
        usersQualified.increment();
    }

    void examples(int n) {
        examples.increment(n);
    }
}
