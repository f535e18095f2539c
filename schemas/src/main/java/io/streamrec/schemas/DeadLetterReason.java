package io.streamrec.schemas;

import java.util.Arrays;

/**
 * The one vocabulary of dead-letter reasons, shared by every stage (ingest, trainer, serving).
 *
 * <p>{@link #tag()} is the value of the {@link DeadLetterHeaders#REASON} header and of the {@code
 * reason} tag of {@code streamrec.dlq.records{stage,reason}}. Tags are stable: operators alert and
 * filter on them, so a tag is never renamed or reused for another meaning; a new failure kind gets
 * a new constant.
 *
 * <p>The three failure kinds of the house style map onto these as follows: undecodable bytes are
 * {@link #UNDECODABLE}; valid bytes with bad content get the specific constant; a record a broker
 * refuses for its size is {@link #RECORD_TOO_LARGE}. Bugs and infrastructure failures are never
 * dead-lettered: the service fails.
 */
public enum DeadLetterReason {
  /**
   * The value (or key) is not a single-object encoded record of a known schema, or the value is
   * null/empty.
   */
  UNDECODABLE("undecodable"),
  /** The record key is absent where the topic requires one. */
  MISSING_KEY("missing-key"),
  /** The record key is present but differs from the id in the value. */
  KEY_MISMATCH("key-mismatch"),
  /** A user id that is empty, blank or longer than the configured maximum. */
  INVALID_USER_ID("invalid-user-id"),
  /** An item id that is empty, blank or longer than the configured maximum. */
  INVALID_ITEM_ID("invalid-item-id"),
  /** A rating that is NaN or infinite. */
  RATING_NOT_FINITE("rating-not-finite"),
  /** A rating outside the configured range. */
  RATING_OUT_OF_RANGE("rating-out-of-range"),
  /**
   * An event time outside the configured bounds (not after the epoch, or too far ahead of the wall
   * clock).
   */
  INVALID_TIMESTAMP("invalid-timestamp"),
  /** An embedding with no components. */
  EMPTY_VECTOR("empty-vector"),
  /** An embedding whose length differs from the model's dimension. */
  WRONG_DIMENSION("wrong-dimension"),
  /** An embedding with a NaN or infinite component or bias. */
  NON_FINITE_VECTOR("non-finite"),
  /** An embedding whose L2 norm (or bias magnitude) exceeds the configured bound. */
  NORM_TOO_LARGE("norm-too-large"),
  /** A recommendation request that cannot be answered (for example no user id). */
  INVALID_REQUEST("invalid-request"),
  /**
   * A record the producer or broker refused because it is larger than the configured maximum size.
   */
  RECORD_TOO_LARGE("record-too-large");

  private final String tag;

  DeadLetterReason(final String tag) {
    this.tag = tag;
  }

  /** Kebab-case name used in headers and metric tags. */
  public String tag() {
    return tag;
  }

  /** The constant whose {@link #tag()} is {@code tag}. */
  public static DeadLetterReason ofTag(final String tag) {
    for (final DeadLetterReason r : values()) {
      if (r.tag.equals(tag)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown dead-letter reason tag: "
            + tag
            + " (known: "
            + Arrays.stream(values()).map(DeadLetterReason::tag).toList()
            + ")");
  }
}
