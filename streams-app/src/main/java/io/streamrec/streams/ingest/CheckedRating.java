package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;

/**
 * The outcome of decoding and validating one raw ratings record: either a valid {@code event} (and whether the
 * record had a key), or the {@code rejection} with the original {@code raw} value bytes to dead-letter.
 *
 * @param event     the decoded, valid event; {@code null} when rejected
 * @param keyed     whether the record key was present (then it equals {@code event.userId})
 * @param raw       the original value bytes (kept only for rejected records, may be {@code null})
 * @param rejection why the record is rejected; {@code null} when valid
 */
record CheckedRating(RatingEvent event, boolean keyed, byte[] raw, RejectedRatingException rejection) {

    static CheckedRating valid(RatingEvent event, boolean keyed) {
        return new CheckedRating(event, keyed, null, null);
    }

    static CheckedRating rejected(byte[] raw, RejectedRatingException why) {
        return new CheckedRating(null, false, raw, why);
    }

    boolean isValid() {
        return rejection == null;
    }
}
