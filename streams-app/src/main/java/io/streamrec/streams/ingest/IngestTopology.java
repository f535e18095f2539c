package io.streamrec.streams.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The ingest topology: validated ratings in, filtered training examples out, per-user state in
 * RocksDB.
 *
 * <pre>
 *   ratings (byte[] key, byte[] value) ─▶ decode-validate-ratings (user-state-store)
 *        keyed    ─▶ counted there ───────────────────────────────────────────▶ training-examples
 *        unkeyed  ─▶ [ratings-by-user repartition] ─▶ filter-min-user-count (user-state-store)
 *                                                                               ─▶ training-examples
 *        rejected ─▶ dead letters
 * </pre>
 *
 * <ul>
 *   <li>Input: {@link Topics#RATINGS} (key: user id, UTF-8, or null; value: Avro {@link
 *       RatingEvent}), read as raw bytes so that an undecodable record is an ordinary value routed
 *       to the dead-letter topic.
 *   <li>Outputs: {@link Topics#TRAINING_EXAMPLES} (key: user id; value: {@link TrainingExample}),
 *       through two sinks (one per node that counts), and {@link Topics#DLQ_INGEST} (the original
 *       key and value bytes, original headers plus {@code streamrec.error.*}; reasons from {@link
 *       io.streamrec.schemas.DeadLetterReason}).
 *   <li>Store: {@value MinCountProcessor#STORE}, persistent RocksDB, changelogged, {@link
 *       UserState} by user id ({@link UserStateSerde}), shared by the two nodes that count (both in
 *       the one sub-topology, so in the same task).
 *   <li>Partitioning: records keyed by their user id are processed in the partition they arrived in
 *       (producers partition by user id); records with a null key go through the {@code
 *       ratings-by-user} repartition topic. A present key that differs from {@code userId} is
 *       dead-lettered ({@code key-mismatch}).
 * </ul>
 *
 * {@code decode-validate-ratings} applies the min-count rule ({@link MinCountFilter}) to a keyed
 * record itself and forwards each output by name ({@link DecodeValidateProcessor}), so a keyed
 * record passes one processor node between source and sink, and is copied (record and headers) once
 * there, instead of passing a merge and a filter node as well (two more forwards and a copy). All
 * topic names get {@link IngestConfig#topicsSuffix()}. Every processor, store and internal topic is
 * named.
 */
public final class IngestTopology {
  static final String DECODE_VALIDATE = "decode-validate-ratings";
  static final String FILTER_MIN_USER_COUNT = "filter-min-user-count";
  static final String SINK_EXAMPLES = "sink-training-examples";
  static final String SINK_REPARTITIONED_EXAMPLES = "sink-training-examples-repartitioned";
  static final String SINK_DEAD_LETTERS = "sink-dead-letters";
  static final String REPARTITION = "ratings-by-user";

  /**
   * The first node Kafka Streams creates for {@code Repartitioned.as(REPARTITION)} (pinned by the
   * golden file).
   */
  static final String REPARTITION_ENTRY = REPARTITION + "-repartition-filter";

  /** The per-user state store ({@link UserState} values), for interactive queries. */
  public static final String USER_STATE_STORE = MinCountProcessor.STORE;

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
    KStream<Object, Object> routed =
        decodeValidateAndCount(readRawRatings(builder, ratings), ratings, config, metrics);
    toDeadLetters(view(routed), deadLetters);
    toExamples(view(routed), examples, SINK_EXAMPLES);
    KStream<String, RatingEvent> unkeyed = view(routed);
    toExamples(
        filterMinUserCount(repartitionByUser(unkeyed, ratings), config, metrics),
        examples,
        SINK_REPARTITIONED_EXAMPLES);
    return builder.build();
  }

  private static KStream<byte[], byte[]> readRawRatings(
      StreamsBuilder builder, TopicSpec<?, ?> ratings) {
    return builder.stream(
        ratings.name(),
        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("source-ratings"));
  }

  private static KStream<Object, Object> decodeValidateAndCount(
      KStream<byte[], byte[]> raw,
      TopicSpec<String, RatingEvent> ratings,
      IngestConfig config,
      IngestMetrics metrics) {
    AvroSerde<RatingEvent> serde = (AvroSerde<RatingEvent>) ratings.valueSerde();
    RatingValidator validator =
        new RatingValidator(
            config.ratingMin(),
            config.ratingMax(),
            config.idMaxLength(),
            config.timestampMaxFuture());
    return raw.process(
        DecodeValidateProcessor.supplier(
            serde,
            validator,
            config.minUserInteractions(),
            metrics,
            MinCountProcessor.storeBuilder()),
        Named.as(DECODE_VALIDATE));
  }

  /**
   * The routed stream as one of its children sees it: {@link DecodeValidateProcessor} forwards to
   * each child by name, and only records of that child's type.
   */
  @SuppressWarnings("unchecked")
  private static <K, V> KStream<K, V> view(KStream<Object, Object> routed) {
    return (KStream<K, V>) (KStream<?, ?>) routed;
  }

  private static void toDeadLetters(
      KStream<byte[], byte[]> rejected, TopicSpec<byte[], byte[]> dlq) {
    rejected.to(
        dlq.name(), Produced.with(dlq.keySerde(), dlq.valueSerde()).withName(SINK_DEAD_LETTERS));
  }

  private static KStream<String, RatingEvent> repartitionByUser(
      KStream<String, RatingEvent> unkeyed, TopicSpec<String, RatingEvent> ratings) {
    return unkeyed.repartition(
        Repartitioned.<String, RatingEvent>as(REPARTITION)
            .withKeySerde(ratings.keySerde())
            .withValueSerde(ratings.valueSerde()));
  }

  private static KStream<String, TrainingExample> filterMinUserCount(
      KStream<String, RatingEvent> byUser, IngestConfig config, IngestMetrics metrics) {
    // process, not processValues: the key stays the user id (MinCountProcessor forwards the input
    // key), and a plain processor saves the fixed-key entry copy of every record; a sink follows,
    // so nothing repartitions. Connected to the store by name: decode-validate-ratings declares it,
    // and a store connected to two nodes puts them into one sub-topology (one task per partition)
    return byUser.process(
        MinCountProcessor.supplier(config.minUserInteractions(), metrics),
        Named.as(FILTER_MIN_USER_COUNT),
        MinCountProcessor.STORE);
  }

  private static void toExamples(
      KStream<String, TrainingExample> counted,
      TopicSpec<String, TrainingExample> examples,
      String sinkName) {
    // the topic's Avro encoding, written without Avro's generic writer (same bytes,
    // TrainingExampleSerializer)
    Serde<TrainingExample> exampleSerde =
        Serdes.serdeFrom(new TrainingExampleSerializer(), examples.valueSerde().deserializer());
    counted.to(
        examples.name(), Produced.with(examples.keySerde(), exampleSerde).withName(sinkName));
  }
}
