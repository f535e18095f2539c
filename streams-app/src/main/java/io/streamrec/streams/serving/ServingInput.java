package io.streamrec.streams.serving;

/** The typed inputs of the serve node, one kind per source topic (all keyed by user id). */
sealed interface ServingInput extends Decoded {

  /** A training example: {@code userId} interacted with {@code itemId} at {@code eventTimeMs}. */
  record Interaction(String userId, String itemId, long eventTimeMs) implements ServingInput {}

  /**
   * A validated user vector; {@code vector == null} is a tombstone (the user's embedding was
   * deleted).
   */
  record UserEmbedding(String userId, UserVector vector) implements ServingInput {}

  /** A request for {@code k} items (already clamped), answered with {@code requestId}. */
  record Request(String userId, int k, String requestId) implements ServingInput {}
}
