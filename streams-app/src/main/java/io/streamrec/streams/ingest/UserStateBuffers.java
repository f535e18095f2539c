package io.streamrec.streams.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The primitive encodings that {@link UserStateSerde}'s byte layout is made of (its class comment
 * is the layout's one description): {@code u8}, unsigned {@code varint}, {@code zigzag}, and a
 * varint length followed by UTF-8 bytes. The layout itself (field order, versions, the item
 * section) lives in {@link UserStateSerde} only.
 *
 * <p>{@link Reader} bounds-checks every read and reports damage as a {@link SerializationException}
 * naming the offset, so a corrupt store value fails loudly instead of decoding to a wrong state.
 */
final class UserStateBuffers {

  private UserStateBuffers() {}

  /** A growable output buffer without the per-byte locking of {@code ByteArrayOutputStream}. */
  static final class Writer {
    private byte[] buf;
    private int pos;

    Writer(int capacity) {
      this(new byte[capacity], 0);
    }

    /** Continues writing into {@code buf} at {@code pos} (growing a copy when it is full). */
    Writer(byte[] buf, int pos) {
      this.buf = buf;
      this.pos = pos;
    }

    void u8(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void varLong(long v) {
      if (v < 0) {
        throw new IllegalStateException("Negative value " + v + " in user state");
      }
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void zigzag(long v) {
      long z = (v << 1) ^ (v >> 63);
      ensure(10);
      while ((z & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      buf[pos++] = (byte) z;
    }

    void bytes(byte[] src, int off, int len) {
      ensure(len);
      System.arraycopy(src, off, buf, pos, len);
      pos += len;
    }

    /**
     * A varint byte length, then the UTF-8 bytes; ASCII ids are copied char by char, no byte[] per
     * id.
     */
    void utf8WithLength(String s) {
      int n = s.length();
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = s.charAt(i) < 0x80;
      }
      if (ascii) {
        varLong(n);
        ensure(n);
        for (int i = 0; i < n; i++) {
          buf[pos++] = (byte) s.charAt(i);
        }
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varLong(b.length);
      bytes(b, 0, b.length);
    }

    /** The number of bytes written so far (the end of the content in {@link #buffer()}). */
    int position() {
      return pos;
    }

    /** The current backing array; valid up to {@link #position()}, replaced when it grows. */
    byte[] buffer() {
      return buf;
    }

    private void ensure(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(2 * buf.length, pos + n));
      }
    }
  }

  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    /** The offset of the next byte to read. */
    int position() {
      return pos;
    }

    int remaining() {
      return buf.length - pos;
    }

    int u8() {
      if (pos >= buf.length) {
        throw truncated();
      }
      return buf[pos++] & 0xFF;
    }

    long varLong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new SerializationException("Corrupt user state: varint longer than 10 bytes");
    }

    long zigzag() {
      long z = varLong();
      return (z >>> 1) ^ -(z & 1);
    }

    int varInt() {
      long v = varLong();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new SerializationException("Corrupt user state: count " + v + " out of range");
      }
      return (int) v;
    }

    void bytes(byte[] dst, int off, int len) {
      if (len < 0 || len > buf.length - pos) {
        throw truncated();
      }
      System.arraycopy(buf, pos, dst, off, len);
      pos += len;
    }

    String utf8WithLength() {
      int len = varInt();
      if (len > buf.length - pos) {
        throw truncated();
      }
      String s = new String(buf, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    void expectEnd() {
      if (pos != buf.length) {
        throw new SerializationException(
            "Corrupt user state: " + (buf.length - pos) + " trailing bytes");
      }
    }

    SerializationException truncated() {
      return new SerializationException(
          "Corrupt user state: truncated at byte " + pos + " of " + buf.length);
    }
  }
}
