package io.streamrec.streams.serving;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterReason;

/**
 * The edge where Avro ends: each source's bytes become a typed {@link ServingInput} or a {@link
 * Decoded.Rejected} with its reason. A {@code SerializationException} thrown here is turned into
 * {@code undecodable} by {@link DecodeProcessor}.
 */
final class InputDecoders {
  private static final AvroSerde<TrainingExample> EXAMPLE = AvroSerde.of(TrainingExample.class);
  private static final AvroSerde<EmbeddingUpdate> EMBEDDING = AvroSerde.of(EmbeddingUpdate.class);
  private static final AvroSerde<RecommendationRequest> REQUEST =
      AvroSerde.of(RecommendationRequest.class);

  private InputDecoders() {}

  /** Decodes one record of one source. */
  @FunctionalInterface
  interface Decoder {
    Decoded decode(String key, byte[] value);
  }

  /**
   * Training examples: the user is the key (or the value's user id when the key is null); ids must
   * be non-blank.
   */
  static Decoded interaction(final String key, final byte[] value) {
    final TrainingExample ex = EXAMPLE.decode(value);
    final String user = key != null ? key : ex.getUserId();
    if (isBlank(user)) {
      return new Decoded.Rejected(value, DeadLetterReason.INVALID_USER_ID, null);
    }
    if (isBlank(ex.getItemId())) {
      return new Decoded.Rejected(value, DeadLetterReason.INVALID_ITEM_ID, null);
    }
    return new ServingInput.Interaction(user, ex.getItemId(), ex.getTimestamp().toEpochMilli());
  }

  /**
   * User embeddings: keyed, validated against the item matrix's dimension and the norm bound; null
   * = tombstone.
   */
  static Decoder userEmbedding(final ItemMatrix items, final double maxNorm) {
    return (key, value) -> {
      if (key == null) {
        return new Decoded.Rejected(value, DeadLetterReason.MISSING_KEY, null);
      }
      if (value == null) {
        return new ServingInput.UserEmbedding(key, null);
      }
      final EmbeddingUpdate e = EMBEDDING.decode(value);
      final DeadLetterReason violation = EmbeddingRules.violation(e, items.dimension(), maxNorm);
      if (violation != null) {
        return new Decoded.Rejected(value, violation, null);
      }
      return new ServingInput.UserEmbedding(
          key,
          new UserVector(
              EmbeddingRules.toArray(e), e.getModelVersion(), e.getEventTime().toEpochMilli()));
    };
  }

  /** Requests: a user is required; {@code k} is clamped by {@link ServingConfig#clampK}. */
  static Decoder request(final ServingConfig config) {
    return (key, value) -> {
      final RecommendationRequest r = REQUEST.decode(value);
      final String user = key != null ? key : r.getUserId();
      if (isBlank(user)) {
        return new Decoded.Rejected(value, DeadLetterReason.INVALID_REQUEST, null);
      }
      return new ServingInput.Request(user, config.clampK(r.getK()), r.getRequestId());
    };
  }

  private static boolean isBlank(final String s) {
    return s == null || s.isBlank();
  }
}
