package io.streamrec.streams.ingest;

/**
 * Describes why a rating was dead-lettered; carried in the {@code streamrec.error.exception.*} headers. It is a
 * value, never thrown, so it has no stack trace.
 */
public final class RejectedRatingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public RejectedRatingException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
