package io.streamrec.streams.serving;

/**
 * Every store and node name of the serving topology, in one place for the topology, processors and
 * HTTP route.
 */
public final class ServingNames {
  private ServingNames() {}

  /** Global store: item id to the raw, validated {@code EmbeddingUpdate} bytes. */
  public static final String ITEM_EMBEDDING_STORE = "item-embedding-store";

  /**
   * Global store: {@code <partition>/<itemId>} to that partition's popularity ({@link
   * PopularityCodec}).
   */
  public static final String ITEM_POPULARITY_STORE = "item-popularity-store";

  /** User id to the user's latest vector ({@link UserVector}, raw floats). */
  public static final String USER_EMBEDDING_STORE = "user-embedding-store";

  /**
   * User id to the items the user interacted with and the newest interaction time ({@link
   * UserHistory}).
   */
  public static final String USER_HISTORY_STORE = "user-history-store";

  /** Item id to this task's popularity of the item ({@link PopularityCodec}). */
  public static final String PARTITION_POPULARITY_STORE = "partition-popularity-store";

  /** User id to the events not yet reflected in an emitted list ({@link PendingEvents}). */
  public static final String PENDING_LISTS_STORE = "pending-lists-store";

  static final String SOURCE_ITEMS = "source-item-embeddings";
  static final String INDEX_ITEMS = "index-item-embeddings";
  static final String SOURCE_POPULARITY = "source-item-popularity";
  static final String MERGE_POPULARITY = "merge-item-popularity";
  static final String SOURCE_EXAMPLES = "source-training-examples";
  static final String DECODE_EXAMPLES = "decode-training-examples";
  static final String SOURCE_USERS = "source-user-embeddings";
  static final String DECODE_USERS = "decode-user-embeddings";
  static final String SOURCE_REQUESTS = "source-recommendation-requests";
  static final String DECODE_REQUESTS = "decode-recommendation-requests";
  static final String SERVE = "serve-recommendations";
  static final String SINK_RECOMMENDATIONS = "sink-recommendations";
  static final String SINK_POPULARITY = "sink-item-popularity";
  static final String SINK_DEAD_LETTERS = "sink-dead-letters";
}
