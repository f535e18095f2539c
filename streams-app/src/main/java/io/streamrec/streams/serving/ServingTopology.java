package io.streamrec.streams.serving;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.Recommendations;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving topology: fresh top-K recommendations from live embeddings.
 *
 * <p>Global part (every instance reads every partition): {@code source-item-embeddings} reads
 * {@link Topics#ITEM_EMBEDDINGS} (key item id, value {@code EmbeddingUpdate} bytes) into the persistent global
 * store {@value #ITEM_EMBEDDING_STORE} through {@code index-item-embeddings}, which validates each row, feeds
 * the in-memory {@link ItemIndex} and dead-letters bad rows through the runtime's {@link DeadLetterSink}.
 *
 * <p>Per-user part (co-partitioned by user id, {@link Topics#USER_PARTITIONS} partitions each):
 * {@code source-training-examples} ({@link Topics#TRAINING_EXAMPLES}, the INTERACTION trigger),
 * {@code source-user-embeddings} ({@link Topics#USER_EMBEDDINGS}, EMBEDDING_UPDATE, debounced) and
 * {@code source-recommendation-requests} ({@link Topics#RECOMMENDATION_REQUESTS}, REQUEST) all feed
 * {@code serve-recommendations}, which owns the changelogged RocksDB stores {@value #USER_EMBEDDING_STORE}
 * (user id to {@code EmbeddingUpdate}), {@value #USER_HISTORY_STORE} (user id to {@link UserHistory}) and
 * {@value #POPULARITY_STORE} (item id to log2 decayed count, per task). It writes {@code Recommendations} (key
 * user id) to {@code sink-recommendations} ({@link Topics#RECOMMENDATIONS}) and undecodable or invalid inputs,
 * with their original bytes and dead-letter headers, to {@code sink-dead-letters} ({@link Topics#DLQ_SERVING}).
 * Values are read as bytes and decoded in the processors, so a poison pill never stops the topology.
 */
public final class ServingTopology {
  private static final Logger log = LoggerFactory.getLogger(ServingTopology.class);

  /** Global store: item id to the raw, validated {@code EmbeddingUpdate} bytes. */
  public static final String ITEM_EMBEDDING_STORE = "item-embedding-store";
  /** User id to the user's latest {@code EmbeddingUpdate}. */
  public static final String USER_EMBEDDING_STORE = "user-embedding-store";
  /** User id to the items the user interacted with and the newest interaction time. */
  public static final String USER_HISTORY_STORE = "user-history-store";
  /** Item id to its log2 decayed interaction count (fallback popularity, per task). */
  public static final String POPULARITY_STORE = "item-popularity-store";

  static final String SOURCE_ITEMS = "source-item-embeddings";
  static final String INDEX_ITEMS = "index-item-embeddings";
  static final String SOURCE_EXAMPLES = "source-training-examples";
  static final String SOURCE_USERS = "source-user-embeddings";
  static final String SOURCE_REQUESTS = "source-recommendation-requests";
  static final String SERVE = "serve-recommendations";
  static final String SINK_RECOMMENDATIONS = "sink-recommendations";
  static final String SINK_DEAD_LETTERS = "sink-dead-letters";

  private ServingTopology() {}

  /**
   * The topology with a private runtime whose dead letters from the global item store are only counted and
   * logged (for {@code describe()} and tests that do not need the index); the service uses
   * {@link #build(ServingConfig, ServingRuntime)}.
   */
  public static Topology build(final ServingConfig config) {
    final ServingMetrics metrics = new ServingMetrics(new SimpleMeterRegistry());
    return build(config, new ServingRuntime(config, metrics, (topic, partition, offset, key, value, reason, error) ->
        log.warn("No dead-letter producer configured; dropped bad item embedding {}-{}@{}: {}", topic, partition,
            offset, reason)));
  }

  /** The topology, sharing {@code runtime}'s item index, popularity trackers and dead-letter sink. */
  public static Topology build(final ServingConfig config, final ServingRuntime runtime) {
    final Topology t = new Topology();
    addItemIndex(t, config, runtime);
    addUserSources(t, config);
    addServeProcessor(t, runtime);
    addSinks(t, config);
    return t;
  }

  private static void addItemIndex(final Topology t, final ServingConfig config, final ServingRuntime runtime) {
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITEM_EMBEDDING_STORE), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled(),
        SOURCE_ITEMS, new StringDeserializer(), new ByteArrayDeserializer(),
        config.topic(Topics.ITEM_EMBEDDINGS).name(),
        INDEX_ITEMS, () -> new ItemEmbeddingProcessor(runtime, ITEM_EMBEDDING_STORE));
  }

  private static void addUserSources(final Topology t, final ServingConfig config) {
    t.addSource(SOURCE_EXAMPLES, new StringDeserializer(), new ByteArrayDeserializer(),
        config.topic(Topics.TRAINING_EXAMPLES).name());
    t.addSource(SOURCE_USERS, new StringDeserializer(), new ByteArrayDeserializer(),
        config.topic(Topics.USER_EMBEDDINGS).name());
    t.addSource(SOURCE_REQUESTS, new StringDeserializer(), new ByteArrayDeserializer(),
        config.topic(Topics.RECOMMENDATION_REQUESTS).name());
  }

  private static void addServeProcessor(final Topology t, final ServingRuntime runtime) {
    t.addProcessor(SERVE, () -> new ServingProcessor(runtime), SOURCE_EXAMPLES, SOURCE_USERS, SOURCE_REQUESTS);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(USER_EMBEDDING_STORE),
        Serdes.String(), AvroSerde.of(EmbeddingUpdate.class)), SERVE);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(USER_HISTORY_STORE),
        Serdes.String(), UserHistory.SERDE), SERVE);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POPULARITY_STORE),
        Serdes.String(), Serdes.Double()), SERVE);
  }

  private static void addSinks(final Topology t, final ServingConfig config) {
    final TopicSpec<String, Recommendations> recs = config.topic(Topics.RECOMMENDATIONS);
    t.addSink(SINK_RECOMMENDATIONS, recs.name(), new StringSerializer(), recs.valueSerde().serializer(), SERVE);
    t.addSink(SINK_DEAD_LETTERS, config.topic(Topics.DLQ_SERVING).name(), new ByteArraySerializer(),
        new ByteArraySerializer(), SERVE);
  }
}
