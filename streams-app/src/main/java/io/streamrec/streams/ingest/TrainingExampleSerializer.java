package io.streamrec.streams.ingest;

import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a {@link TrainingExample} in Avro single-object encoding, byte for byte what {@code
 * AvroSerde.of(TrainingExample.class).encode} writes (checked by {@code
 * TrainingExampleSerializerTest}), without Avro's generic writer: {@code C3 01}, the 8-byte
 * CRC-64-AVRO fingerprint of the schema (little-endian), then the fields in schema order: {@code
 * userId}, {@code itemId} (zigzag varint byte length + UTF-8), {@code rating} (4 bytes, IEEE 754
 * little-endian), {@code timestamp} (zigzag varint, ms) and {@code userInteractions} (zigzag
 * varint). One exact-size array per record; the ingest sink writes one record per accepted event.
 */
final class TrainingExampleSerializer implements Serializer<TrainingExample> {
  private static final byte[] HEADER =
      header(AvroSerde.fingerprint(TrainingExample.getClassSchema()));

  @Override
  public byte[] serialize(String topic, TrainingExample e) {
    return e == null ? null : encode(e);
  }

  static byte[] encode(TrainingExample e) {
    String user = e.getUserId();
    String item = e.getItemId();
    long ts = e.getTimestamp().toEpochMilli();
    int interactions = e.getUserInteractions();
    int userBytes = utf8Length(user);
    int itemBytes = utf8Length(item);
    int size =
        HEADER.length
            + zigzagSize(userBytes)
            + userBytes
            + zigzagSize(itemBytes)
            + itemBytes
            + 4
            + zigzagSize(ts)
            + zigzagSize(interactions);
    byte[] out = new byte[size];
    System.arraycopy(HEADER, 0, out, 0, HEADER.length);
    int pos = HEADER.length;
    pos = writeString(out, pos, user, userBytes);
    pos = writeString(out, pos, item, itemBytes);
    int bits = Float.floatToRawIntBits(e.getRating());
    out[pos++] = (byte) bits;
    out[pos++] = (byte) (bits >>> 8);
    out[pos++] = (byte) (bits >>> 16);
    out[pos++] = (byte) (bits >>> 24);
    pos = writeZigzag(out, pos, ts);
    pos = writeZigzag(out, pos, interactions);
    if (pos != size) {
      throw new IllegalStateException(
          "TrainingExample encoding wrote " + pos + " of " + size + " bytes");
    }
    return out;
  }

  private static byte[] header(long fingerprint) {
    byte[] h = new byte[10];
    h[0] = (byte) 0xC3;
    h[1] = (byte) 0x01;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return h;
  }

  /**
   * UTF-8 length of {@code s} (unpaired surrogates count as one replacement byte '?', as
   * String.getBytes).
   */
  private static int utf8Length(String s) {
    return isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static int writeString(byte[] out, int pos, String s, int utf8Bytes) {
    pos = writeZigzag(out, pos, utf8Bytes);
    if (isAscii(s)) {
      for (int i = 0; i < utf8Bytes; i++) {
        out[pos++] = (byte) s.charAt(i);
      }
      return pos;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, out, pos, b.length);
    return pos + b.length;
  }

  private static int zigzagSize(long v) {
    long z = (v << 1) ^ (v >> 63);
    int n = 1;
    while ((z & ~0x7FL) != 0) {
      z >>>= 7;
      n++;
    }
    return n;
  }

  private static int writeZigzag(byte[] out, int pos, long v) {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out[pos++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    out[pos++] = (byte) z;
    return pos;
  }
}
