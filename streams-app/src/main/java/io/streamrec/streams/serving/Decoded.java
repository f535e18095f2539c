package io.streamrec.streams.serving;

import io.streamrec.schemas.DeadLetterReason;

/**
 * What a decode node makes of one input record: a typed {@link ServingInput}, or a {@link Rejected}
 * dead letter.
 */
sealed interface Decoded permits ServingInput, Decoded.Rejected {

  /** An input that goes to the dead-letter sink with its original bytes and this reason. */
  record Rejected(byte[] original, DeadLetterReason reason, Throwable error) implements Decoded {}
}
