package io.streamrec.streams.serving;

import io.streamrec.schemas.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The serving topology: fresh top-K recommendations from live embeddings.
 *
 * <pre>
 * item-embeddings ─▶ index-item-embeddings ─▶ [global item-embedding-store] + ItemMatrix (every instance)
 * item-popularity ─▶ merge-item-popularity ─▶ [global item-popularity-store] + GlobalPopularity (every instance)
 * training-examples       ─▶ decode-training-examples ─────┐
 * user-embeddings         ─▶ decode-user-embeddings ───────┼─▶ serve-recommendations ─▶ recommendations
 * recommendation-requests ─▶ decode-recommendation-requests┘            └─▶ item-popularity (this partition's counts)
 *                  (each decode node) ─▶ dead letters
 * </pre>
 *
 * <p>Global part (every instance reads every partition): {@link Topics#ITEM_EMBEDDINGS} (key item
 * id, value {@code EmbeddingUpdate} bytes) into {@value ServingNames#ITEM_EMBEDDING_STORE} through
 * {@link ItemEmbeddingProcessor}, which validates each row and feeds the {@link ItemMatrix}; {@link
 * Topics#ITEM_POPULARITY} (key {@code <partition>/<itemId>}, value {@link PopularityCodec}) into
 * {@value ServingNames#ITEM_POPULARITY_STORE} through {@link PopularityMergeProcessor}, which feeds
 * {@link GlobalPopularity}. Their bad records go to the {@link DeadLetterSink} (global processors
 * may not forward).
 *
 * <p>Per-user part (co-partitioned by user id, {@link Topics#USER_PARTITIONS} partitions each): one
 * decode node per source turns bytes into a typed {@link ServingInput} for {@link ServeProcessor}
 * or a dead letter for {@code sink-dead-letters} ({@link Topics#DLQ_SERVING}, original bytes plus
 * dead-letter headers). The serve node owns the changelogged stores {@value
 * ServingNames#USER_EMBEDDING_STORE}, {@value ServingNames#USER_HISTORY_STORE}, {@value
 * ServingNames#PARTITION_POPULARITY_STORE} and {@value ServingNames#PENDING_LISTS_STORE} (declared
 * by its supplier), and writes lists to {@code sink-recommendations} ({@link
 * Topics#RECOMMENDATIONS}, Avro built in the sink's serializer) and its partition's item counts to
 * {@code sink-item-popularity}.
 */
public final class ServingTopology {
  private ServingTopology() {}

  /** The serving topology over {@code deps} (the same for the service and for tests). */
  public static Topology build(final ServingDependencies deps) {
    final Topology t = new Topology();
    addItemMatrix(t, deps);
    addWholeStreamPopularity(t, deps);
    final ServingConfig config = deps.config();
    addDecodedSource(
        t,
        ServingNames.SOURCE_EXAMPLES,
        ServingNames.DECODE_EXAMPLES,
        config.topic(Topics.TRAINING_EXAMPLES).name(),
        new DecodeProcessor(InputDecoders::interaction, deps.metrics()));
    addDecodedSource(
        t,
        ServingNames.SOURCE_USERS,
        ServingNames.DECODE_USERS,
        config.topic(Topics.USER_EMBEDDINGS).name(),
        new DecodeProcessor(
            InputDecoders.userEmbedding(deps.items(), config.embeddingMaxNorm()), deps.metrics()));
    addDecodedSource(
        t,
        ServingNames.SOURCE_REQUESTS,
        ServingNames.DECODE_REQUESTS,
        config.topic(Topics.RECOMMENDATION_REQUESTS).name(),
        new DecodeProcessor(InputDecoders.request(config), deps.metrics()));
    t.addProcessor(
        ServingNames.SERVE,
        new ServeProcessor.Supplier(deps),
        ServingNames.DECODE_EXAMPLES,
        ServingNames.DECODE_USERS,
        ServingNames.DECODE_REQUESTS);
    addSinks(t, config);
    return t;
  }

  private static void addItemMatrix(final Topology t, final ServingDependencies deps) {
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ServingNames.ITEM_EMBEDDING_STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withLoggingDisabled(),
        ServingNames.SOURCE_ITEMS,
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        deps.config().topic(Topics.ITEM_EMBEDDINGS).name(),
        ServingNames.INDEX_ITEMS,
        () -> new ItemEmbeddingProcessor(deps, ServingNames.ITEM_EMBEDDING_STORE));
  }

  private static void addWholeStreamPopularity(final Topology t, final ServingDependencies deps) {
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ServingNames.ITEM_POPULARITY_STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withLoggingDisabled(),
        ServingNames.SOURCE_POPULARITY,
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        deps.config().topic(Topics.ITEM_POPULARITY).name(),
        ServingNames.MERGE_POPULARITY,
        () -> new PopularityMergeProcessor(deps));
  }

  /** A source of raw bytes and the node that decodes them; a new processor per task. */
  private static void addDecodedSource(
      final Topology t,
      final String source,
      final String decode,
      final String topic,
      final DecodeProcessor prototype) {
    t.addSource(source, new StringDeserializer(), new ByteArrayDeserializer(), topic);
    t.addProcessor(decode, prototype::copy, source);
  }

  private static void addSinks(final Topology t, final ServingConfig config) {
    t.addSink(
        ServingNames.SINK_RECOMMENDATIONS,
        config.topic(Topics.RECOMMENDATIONS).name(),
        new StringSerializer(),
        ServingOutput.RECOMMENDATIONS_SERIALIZER,
        ServingNames.SERVE);
    t.addSink(
        ServingNames.SINK_POPULARITY,
        config.topic(Topics.ITEM_POPULARITY).name(),
        new StringSerializer(),
        ServingOutput.POPULARITY_SERIALIZER,
        ServingNames.SERVE);
    t.addSink(
        ServingNames.SINK_DEAD_LETTERS,
        config.topic(Topics.DLQ_SERVING).name(),
        new StringSerializer(),
        DecodeProcessor.REJECTED_SERIALIZER,
        ServingNames.DECODE_EXAMPLES,
        ServingNames.DECODE_USERS,
        ServingNames.DECODE_REQUESTS);
  }
}
