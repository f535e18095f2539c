package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The content rules for a decoded {@link RatingEvent}. Pure and thread-safe.
 *
 * <p>Rules, in the order checked, each with its {@link DeadLetterReason}:
 *
 * <ol>
 *   <li>{@code userId} is not blank and at most {@code idMaxLength} UTF-8 bytes ({@code
 *       invalid-user-id});
 *   <li>{@code itemId} likewise ({@code invalid-item-id});
 *   <li>{@code rating} is finite ({@code rating-not-finite}) and in {@code [min, max]}, inclusive
 *       ({@code rating-out-of-range});
 *   <li>{@code timestamp} is after the epoch ({@code > 0} ms) and at most {@code maxFuture} ahead
 *       of the wall clock ({@code invalid-timestamp});
 *   <li>the record key, when present, equals {@code userId} as UTF-8 bytes ({@code key-mismatch}).
 * </ol>
 *
 * A null key is accepted: the topology then re-keys the event by {@code userId} through a
 * repartition topic, so that the user's state lives in one task. Bounding id lengths here keeps
 * every record the topology writes later (repartition, state changelog, training example) far below
 * the producer's and broker's size limits.
 */
public final class RatingValidator {
  /** How much of an offending id the rejection message quotes. */
  static final int PREVIEW_CHARS = 32;

  private final float min;
  private final float max;
  private final int idMaxLength;
  private final long maxFutureMs;

  /**
   * @param min smallest valid rating (inclusive)
   * @param max largest valid rating (inclusive)
   * @param idMaxLength longest valid user or item id, in UTF-8 bytes
   * @param maxFuture how far an event time may lie ahead of the wall clock
   */
  public RatingValidator(float min, float max, int idMaxLength, Duration maxFuture) {
    this.min = min;
    this.max = max;
    this.idMaxLength = idMaxLength;
    this.maxFutureMs = maxFuture.toMillis();
  }

  /**
   * The first rule {@code event} breaks, or {@code null} when it is valid; {@code nowMs} is the
   * wall clock.
   */
  public RejectedRatingException check(byte[] key, RatingEvent event, long nowMs) {
    String user = event.getUserId();
    String userProblem = idProblem(user);
    if (userProblem != null) {
      return new RejectedRatingException(DeadLetterReason.INVALID_USER_ID, "userId " + userProblem);
    }
    String item = event.getItemId();
    String itemProblem = idProblem(item);
    if (itemProblem != null) {
      return new RejectedRatingException(
          DeadLetterReason.INVALID_ITEM_ID, "itemId " + itemProblem + " for user " + user);
    }
    float r = event.getRating();
    if (!Float.isFinite(r)) {
      return new RejectedRatingException(DeadLetterReason.RATING_NOT_FINITE, "rating is " + r);
    }
    if (r < min || r > max) {
      return new RejectedRatingException(
          DeadLetterReason.RATING_OUT_OF_RANGE,
          "rating " + r + " outside [" + min + ", " + max + "]");
    }
    Instant time = event.getTimestamp();
    if (time == null || time.toEpochMilli() <= 0) {
      return new RejectedRatingException(
          DeadLetterReason.INVALID_TIMESTAMP, "timestamp " + time + " is not after the epoch");
    }
    long latest = nowMs > Long.MAX_VALUE - maxFutureMs ? Long.MAX_VALUE : nowMs + maxFutureMs;
    if (time.toEpochMilli() > latest) {
      return new RejectedRatingException(
          DeadLetterReason.INVALID_TIMESTAMP,
          "timestamp "
              + time
              + " is more than "
              + Duration.ofMillis(maxFutureMs)
              + " after the wall clock "
              + Instant.ofEpochMilli(nowMs));
    }
    if (key != null && !Arrays.equals(key, user.getBytes(StandardCharsets.UTF_8))) {
      return new RejectedRatingException(
          DeadLetterReason.KEY_MISMATCH,
          "record key '"
              + preview(new String(key, StandardCharsets.UTF_8))
              + "' differs from userId '"
              + user
              + "'");
    }
    return null;
  }

  /** Why {@code id} is invalid (to follow "userId "), or {@code null}. */
  private String idProblem(String id) {
    if (id == null || id.isBlank()) {
      return "is empty";
    }
    int bytes = utf8Length(id);
    if (bytes > idMaxLength) {
      return "is "
          + bytes
          + " bytes, longer than ingest.id.max.length = "
          + idMaxLength
          + " (starts with '"
          + preview(id)
          + "')";
    }
    return null;
  }

  /**
   * UTF-8 length of {@code s} without encoding it (an unpaired surrogate counts as the 1-byte '?'
   * it becomes).
   */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static String preview(String s) {
    return s.length() <= PREVIEW_CHARS ? s : s.substring(0, PREVIEW_CHARS) + "…";
  }
}
