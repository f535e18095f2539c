package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.schemas.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads a ratings value written with the current {@link RatingEvent} schema without Avro's generic
 * reader, and hands every other payload to {@link AvroSerde#decode}. The fast path takes only bytes
 * that are exactly {@code C3 01}, the current schema's fingerprint (little-endian) and the four
 * fields in schema order ({@code userId}, {@code itemId}: zigzag varint length + UTF-8; {@code
 * rating}: 4 bytes little-endian; {@code timestamp}: zigzag varint ms), ending at the last byte.
 * Anything else (an older schema, a truncated or over-long body, a varint too long for its type, a
 * negative length) goes to Avro, so the answer (the event, or the {@code SerializationException})
 * is always Avro's; {@code RatingEventReaderTest} checks both on valid, truncated and corrupted
 * payloads.
 */
final class RatingEventReader {
  private static final long FINGERPRINT = AvroSerde.fingerprint(RatingEvent.getClassSchema());

  private final AvroSerde<RatingEvent> avro;
  private int pos;

  RatingEventReader(AvroSerde<RatingEvent> avro) {
    this.avro = avro;
  }

  /** Decodes {@code bytes}; throws what {@link AvroSerde#decode} throws for them. */
  RatingEvent decode(byte[] bytes) {
    RatingEvent fast = bytes == null ? null : tryFast(bytes);
    return fast != null ? fast : avro.decode(bytes);
  }

  private RatingEvent tryFast(byte[] b) {
    if (b.length < 10 + 1 + 1 + 4 + 1 + 1 || b[0] != (byte) 0xC3 || b[1] != (byte) 0x01) {
      return null;
    }
    long fp = 0;
    for (int i = 0; i < 8; i++) {
      fp |= (b[2 + i] & 0xFFL) << (8 * i);
    }
    if (fp != FINGERPRINT) {
      return null;
    }
    pos = 10;
    String user = string(b);
    if (user == null) {
      return null;
    }
    String item = string(b);
    if (item == null || pos + 4 > b.length) {
      return null;
    }
    int bits =
        (b[pos] & 0xFF)
            | (b[pos + 1] & 0xFF) << 8
            | (b[pos + 2] & 0xFF) << 16
            | (b[pos + 3] & 0xFF) << 24;
    pos += 4;
    long z = varint(b, 10);
    if (z == Long.MIN_VALUE) {
      return null;
    }
    long ts = (z >>> 1) ^ -(z & 1);
    // eventId: ["null", "string"], the branch index as a zigzag varint (0 = null, 2 = string)
    long branch = varint(b, 5);
    String eventId = null;
    if (branch == 2) {
      eventId = string(b);
      if (eventId == null) {
        return null;
      }
    } else if (branch != 0) {
      return null;
    }
    if (pos != b.length) {
      return null;
    }
    return new RatingEvent(
        user, item, Float.intBitsToFloat(bits), Instant.ofEpochMilli(ts), eventId);
  }

  /** A zigzag-int length and its UTF-8 bytes; null when anything is off. */
  private String string(byte[] b) {
    long z = varint(b, 5);
    if (z == Long.MIN_VALUE || z > 0xFFFFFFFFL) {
      return null;
    }
    long len = (z >>> 1) ^ -(z & 1);
    if (len < 0 || len > b.length - pos) {
      return null;
    }
    int n = (int) len;
    String s = new String(b, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  /**
   * An unsigned varint of at most {@code maxBytes} bytes (10 for a long, 5 for an int); MIN_VALUE
   * when not one.
   */
  private long varint(byte[] b, int maxBytes) {
    long v = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (pos >= b.length) {
        return Long.MIN_VALUE;
      }
      int x = b[pos++];
      v |= (long) (x & 0x7F) << (7 * i);
      if ((x & 0x80) == 0) {
        // a 10th long byte may carry 1 bit only, a 5th int byte 4 bits; more is not a valid
        // encoding
        if ((maxBytes == 10 && i == 9 && (x & 0x7E) != 0)
            || (maxBytes == 5 && i == 4 && (x & 0x70) != 0)) {
          return Long.MIN_VALUE;
        }
        return v;
      }
    }
    return Long.MIN_VALUE;
  }
}
