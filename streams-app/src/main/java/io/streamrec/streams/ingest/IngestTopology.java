package io.streamrec.streams.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.errors.DeadLetterPayload;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The ingest topology: validated ratings in, filtered training examples out, per-user state in RocksDB.
 *
 * <pre>
 *   ratings (byte[] key, byte[] value) ─▶ decode-validate-ratings ─▶ route-
 *        route-keyed    ─▶ key-by-user ─────────────────────────────────────┐
 *        route-unkeyed  ─▶ rekey-by-user ─▶ [ratings-by-user repartition] ──┴▶ merge-ratings-by-user
 *              ─▶ filter-min-user-count (user-state-store) ─▶ training-examples
 *        route-rejected ─▶ unwrap-original-bytes ─▶ dead letters
 * </pre>
 *
 * <ul>
 *   <li>Input: {@link Topics#RATINGS} (key: user id, UTF-8, or null; value: Avro {@link RatingEvent}), read as
 *       raw bytes so that an undecodable record is an ordinary value routed to the dead-letter topic.</li>
 *   <li>Outputs: {@link Topics#TRAINING_EXAMPLES} (key: user id; value: {@link TrainingExample}) and
 *       {@link Topics#DLQ_INGEST} (the original key and value bytes, original headers plus
 *       {@code streamrec.error.*}; reasons from {@link io.streamrec.schemas.DeadLetterReason}).</li>
 *   <li>Store: {@value MinCountProcessor#STORE}, persistent RocksDB, changelogged, {@link UserState} by user id
 *       ({@link UserStateSerde}).</li>
 *   <li>Partitioning: records keyed by their user id are processed in the partition they arrived in (producers
 *       partition by user id); records with a null key go through the {@code ratings-by-user} repartition topic.
 *       A present key that differs from {@code userId} is dead-lettered ({@code key-mismatch}).</li>
 * </ul>
 * All topic names get {@link IngestConfig#topicsSuffix()}. Every processor, store and internal topic is named.
 */
public final class IngestTopology {
    static final String ROUTE_PREFIX = "route-";
    static final String KEYED = "keyed";
    static final String UNKEYED = "unkeyed";
    static final String REJECTED = "rejected";

    private IngestTopology() {}

    /** Builds the topology, registering its meters in {@code registry}. */
    public static Topology build(IngestConfig config, MeterRegistry registry) {
        return build(config, new IngestMetrics(registry));
    }

    static Topology build(IngestConfig config, IngestMetrics metrics) {
        String suffix = config.topicsSuffix();
        TopicSpec<String, RatingEvent> ratings = Topics.RATINGS.withSuffix(suffix);
        TopicSpec<String, TrainingExample> examples = Topics.TRAINING_EXAMPLES.withSuffix(suffix);
        TopicSpec<byte[], byte[]> deadLetters = Topics.DLQ_INGEST.withSuffix(suffix);

        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], CheckedRating> checked = decodeAndValidate(readRawRatings(builder, ratings), ratings, config,
                metrics);
        Map<String, KStream<byte[], CheckedRating>> routes = route(checked);
        toDeadLetters(routes.get(ROUTE_PREFIX + REJECTED), deadLetters);
        KStream<String, RatingEvent> byUser = keyByUser(routes.get(ROUTE_PREFIX + KEYED))
                .merge(rekeyByUser(routes.get(ROUTE_PREFIX + UNKEYED), ratings), Named.as("merge-ratings-by-user"));
        // the topic's Avro encoding, written without Avro's generic writer (same bytes, TrainingExampleSerializer)
        Serde<TrainingExample> exampleSerde = Serdes.serdeFrom(new TrainingExampleSerializer(),
                examples.valueSerde().deserializer());
        filterMinUserCount(byUser, config, metrics)
                .to(examples.name(), Produced.with(examples.keySerde(), exampleSerde)
                        .withName("sink-training-examples"));
        return builder.build();
    }

    private static KStream<byte[], byte[]> readRawRatings(StreamsBuilder builder, TopicSpec<?, ?> ratings) {
        return builder.stream(ratings.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("source-ratings"));
    }

    private static KStream<byte[], CheckedRating> decodeAndValidate(KStream<byte[], byte[]> raw,
                                                                    TopicSpec<String, RatingEvent> ratings,
                                                                    IngestConfig config, IngestMetrics metrics) {
        AvroSerde<RatingEvent> serde = (AvroSerde<RatingEvent>) ratings.valueSerde();
        RatingValidator validator = new RatingValidator(config.ratingMin(), config.ratingMax(), config.idMaxLength(),
                config.timestampMaxFuture());
        return raw.processValues(() -> new DecodeValidateProcessor(serde, validator, metrics),
                Named.as("decode-validate-ratings"));
    }

    private static Map<String, KStream<byte[], CheckedRating>> route(KStream<byte[], CheckedRating> checked) {
        return checked.split(Named.as(ROUTE_PREFIX))
                .branch((k, v) -> v.isValid() && v.keyed(), Branched.as(KEYED))
                .branch((k, v) -> v.isValid(), Branched.as(UNKEYED))
                .defaultBranch(Branched.as(REJECTED));
    }

    private static void toDeadLetters(KStream<byte[], CheckedRating> rejected, TopicSpec<byte[], byte[]> dlq) {
        // A map, not mapValues: an over-long key is cut too (DeadLetterPayload). Straight to a sink, so no repartition.
        rejected.map((k, v) -> KeyValue.pair(DeadLetterPayload.cut(k), v.raw()), Named.as("unwrap-original-bytes"))
                .to(dlq.name(), Produced.with(dlq.keySerde(), dlq.valueSerde()).withName("sink-dead-letters"));
    }

    private static KStream<String, RatingEvent> keyByUser(KStream<byte[], CheckedRating> keyed) {
        return keyed.map((k, v) -> KeyValue.pair(v.event().getUserId(), v.event()), Named.as("key-by-user"));
    }

    private static KStream<String, RatingEvent> rekeyByUser(KStream<byte[], CheckedRating> unkeyed,
                                                            TopicSpec<String, RatingEvent> ratings) {
        return unkeyed.map((k, v) -> KeyValue.pair(v.event().getUserId(), v.event()), Named.as("rekey-by-user"))
                .repartition(Repartitioned.<String, RatingEvent>as("ratings-by-user")
                        .withKeySerde(ratings.keySerde())
                        .withValueSerde(ratings.valueSerde()));
    }

    private static KStream<String, TrainingExample> filterMinUserCount(KStream<String, RatingEvent> byUser,
                                                                       IngestConfig config, IngestMetrics metrics) {
        return byUser.processValues(MinCountProcessor.supplier(config.minUserInteractions(), metrics),
                Named.as("filter-min-user-count"));
    }
}
