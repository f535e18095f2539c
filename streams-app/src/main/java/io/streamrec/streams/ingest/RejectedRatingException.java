package io.streamrec.streams.ingest;

import io.streamrec.schemas.DeadLetterReason;

/**
 * Describes why a rating was dead-lettered; carried in the {@code streamrec.error.exception.*}
 * headers. It is a value, never thrown, so it has no stack trace.
 */
public final class RejectedRatingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  public RejectedRatingException(DeadLetterReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
