package io.streamrec.streams.ingest;

/**
 * Why the ingest topology dead-letters a record; {@link #tag()} is the {@code streamrec.error.reason} header value
 * and the {@code reason} tag of {@code streamrec.dlq.records}.
 */
public enum RejectReason {
    /** The value is not a single-object encoded {@code RatingEvent} of a known schema (or is null). */
    UNDECODABLE("undecodable"),
    /** {@code userId} is empty or blank. */
    EMPTY_USER_ID("empty-user-id"),
    /** {@code itemId} is empty or blank. */
    EMPTY_ITEM_ID("empty-item-id"),
    /** {@code rating} is NaN or infinite. */
    RATING_NOT_FINITE("rating-not-finite"),
    /** {@code rating} is outside {@code [ingest.rating.min, ingest.rating.max]}. */
    RATING_OUT_OF_RANGE("rating-out-of-range"),
    /** {@code timestamp} is not after the epoch. */
    INVALID_TIMESTAMP("invalid-timestamp"),
    /** The record key is present but differs from {@code userId}. */
    KEY_MISMATCH("key-mismatch");

    private final String tag;

    RejectReason(String tag) {
        this.tag = tag;
    }

    /** Kebab-case name used in headers and metric tags. */
    public String tag() {
        return tag;
    }
}
