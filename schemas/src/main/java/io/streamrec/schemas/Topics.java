package io.streamrec.schemas;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.TrainingExample;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The single declaration of every StreamRec topic. Every key is a user or entity id as a UTF-8
 * string.
 *
 * <p>Topics that share a key (ratings, training examples, user embeddings, requests,
 * recommendations) have the same partition count so that the streams topologies can co-partition
 * them by user. Names follow {@code streamrec.<domain>.<entity>.v<N>}; an incompatible schema
 * change bumps {@code vN}.
 */
public final class Topics {

  /** Partition count of every user-keyed topic; they must match for co-partitioning. */
  public static final int USER_PARTITIONS = 3;

  private static final Serde<String> KEY = Serdes.String();

  /** Raw rating events from producers. Key: user id. */
  public static final TopicSpec<String, RatingEvent> RATINGS =
      new TopicSpec<>(
          "streamrec.events.ratings.v1",
          KEY,
          AvroSerde.of(RatingEvent.class),
          USER_PARTITIONS,
          false);

  /** Events the replay tool withholds for evaluation; nothing trains on them. Key: user id. */
  public static final TopicSpec<String, RatingEvent> RATINGS_HOLDOUT =
      new TopicSpec<>(
          "streamrec.events.ratings-holdout.v1",
          KEY,
          AvroSerde.of(RatingEvent.class),
          USER_PARTITIONS,
          false);

  /** Validated, filtered interactions emitted by the ingest topology. Key: user id. */
  public static final TopicSpec<String, TrainingExample> TRAINING_EXAMPLES =
      new TopicSpec<>(
          "streamrec.train.examples.v1",
          KEY,
          AvroSerde.of(TrainingExample.class),
          USER_PARTITIONS,
          false);

  /** Latest user vectors (compacted). Key: user id. */
  public static final TopicSpec<String, EmbeddingUpdate> USER_EMBEDDINGS =
      new TopicSpec<>(
          "streamrec.model.user-embeddings.v1",
          KEY,
          AvroSerde.of(EmbeddingUpdate.class),
          USER_PARTITIONS,
          true);

  /** Latest item vectors (compacted; read in full by every serving instance). Key: item id. */
  public static final TopicSpec<String, EmbeddingUpdate> ITEM_EMBEDDINGS =
      new TopicSpec<>(
          "streamrec.model.item-embeddings.v1",
          KEY,
          AvroSerde.of(EmbeddingUpdate.class),
          USER_PARTITIONS,
          true);

  /** On-demand recommendation requests. Key: user id. */
  public static final TopicSpec<String, RecommendationRequest> RECOMMENDATION_REQUESTS =
      new TopicSpec<>(
          "streamrec.serve.recommendation-requests.v1",
          KEY,
          AvroSerde.of(RecommendationRequest.class),
          USER_PARTITIONS,
          false);

  /** Top-K lists produced by the serving topology. Key: user id. */
  public static final TopicSpec<String, Recommendations> RECOMMENDATIONS =
      new TopicSpec<>(
          "streamrec.serve.recommendations.v1",
          KEY,
          AvroSerde.of(Recommendations.class),
          USER_PARTITIONS,
          false);

  /**
   * Per-partition item popularity published by the serving tasks (compacted; read in full by every
   * serving instance into a global store, so every instance serves the same fallback). Key: {@code
   * <partition>/<itemId>}; value: 16 bytes, big-endian: the partition's log2 decayed count (double)
   * and its newest event time (epoch ms).
   */
  public static final TopicSpec<String, byte[]> ITEM_POPULARITY =
      new TopicSpec<>(
          "streamrec.serve.item-popularity.v1", KEY, Serdes.ByteArray(), USER_PARTITIONS, true);

  /**
   * Dead letters of the ingest topology: the original bytes, reason in {@link DeadLetterHeaders}.
   */
  public static final TopicSpec<byte[], byte[]> DLQ_INGEST =
      new TopicSpec<>("streamrec.dlq.ingest.v1", Serdes.ByteArray(), Serdes.ByteArray(), 1, false);

  /** Dead letters of the serving topology (bad embeddings, undecodable requests). */
  public static final TopicSpec<byte[], byte[]> DLQ_SERVING =
      new TopicSpec<>("streamrec.dlq.serving.v1", Serdes.ByteArray(), Serdes.ByteArray(), 1, false);

  /** Dead letters of the trainer (undecodable training examples). */
  public static final TopicSpec<byte[], byte[]> DLQ_TRAINER =
      new TopicSpec<>("streamrec.dlq.trainer.v1", Serdes.ByteArray(), Serdes.ByteArray(), 1, false);

  private Topics() {}

  /** Every topic StreamRec uses, in creation order. */
  public static List<TopicSpec<?, ?>> all() {
    return List.of(
        RATINGS,
        RATINGS_HOLDOUT,
        TRAINING_EXAMPLES,
        USER_EMBEDDINGS,
        ITEM_EMBEDDINGS,
        RECOMMENDATION_REQUESTS,
        RECOMMENDATIONS,
        ITEM_POPULARITY,
        DLQ_INGEST,
        DLQ_SERVING,
        DLQ_TRAINER);
  }
}
