package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The content rules for a decoded {@link RatingEvent}. Pure and thread-safe.
 *
 * <p>Rules, in the order checked: {@code userId} and {@code itemId} are not blank; {@code rating} is finite and in
 * {@code [min, max]} (inclusive); {@code timestamp} is after the epoch ({@code > 0} ms); the record key, when
 * present, equals {@code userId} as UTF-8 bytes. A null key is accepted: the topology then re-keys the event by
 * {@code userId} through a repartition topic, so that the user's state lives in one task.
 */
public final class RatingValidator {
    private final float min;
    private final float max;

    public RatingValidator(float min, float max) {
        this.min = min;
        this.max = max;
    }

    /** The first rule {@code event} breaks, or {@code null} when it is valid. */
    public RejectedRatingException check(byte[] key, RatingEvent event) {
        String user = event.getUserId();
        if (user == null || user.isBlank()) {
            return new RejectedRatingException(RejectReason.EMPTY_USER_ID, "userId is empty");
        }
        String item = event.getItemId();
        if (item == null || item.isBlank()) {
            return new RejectedRatingException(RejectReason.EMPTY_ITEM_ID, "itemId is empty for user " + user);
        }
        float r = event.getRating();
        if (!Float.isFinite(r)) {
            return new RejectedRatingException(RejectReason.RATING_NOT_FINITE, "rating is " + r);
        }
        if (r < min || r > max) {
            return new RejectedRatingException(RejectReason.RATING_OUT_OF_RANGE,
                    "rating " + r + " outside [" + min + ", " + max + "]");
        }
        if (event.getTimestamp() == null || event.getTimestamp().toEpochMilli() <= 0) {
            return new RejectedRatingException(RejectReason.INVALID_TIMESTAMP,
                    "timestamp " + event.getTimestamp() + " is not after the epoch");
        }
        if (key != null && !Arrays.equals(key, user.getBytes(StandardCharsets.UTF_8))) {
            return new RejectedRatingException(RejectReason.KEY_MISMATCH,
                    "record key '" + new String(key, StandardCharsets.UTF_8) + "' differs from userId '" + user + "'");
        }
        return null;
    }
}
