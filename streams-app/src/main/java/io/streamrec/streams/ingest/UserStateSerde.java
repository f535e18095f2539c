package io.streamrec.streams.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary encoding of {@link UserState} (the value of {@code user-state-store} and its changelog).
 *
 * <p>Layout, version 1 ({@code varint} = unsigned LEB128, 7 bits per byte, low bits first; {@code T} = a time
 * in the unit given by the flags, as a varint <em>relative to {@code first}</em>, never negative because
 * {@code first} is the minimum):
 * <pre>
 *   u8      version            = 1
 *   u8      flags              bit 0: times are whole seconds (every time was a multiple of 1000 ms)
 *   varint  interactionCount
 *   varint  first              first (minimum) event time, in the flags' unit, absolute
 *   T       last               last (maximum) event time
 *   varint  itemCount
 *   itemCount x {              items sorted by id; ids front-coded against the previous id's UTF-8 bytes
 *     varint  sharedPrefixBytes
 *     varint  suffixBytes
 *     bytes   suffix           UTF-8
 *     T       newest event time of this item
 *   }
 *   varint  heldCount
 *   heldCount x {              held events, arrival order
 *     varint  itemIdBytes
 *     bytes   itemId           UTF-8
 *     f32     rating           IEEE 754, big-endian
 *     T       event time
 *   }
 * </pre>
 * MovieLens-100k users take about 5.8 bytes per (user, item). An unknown version fails with a
 * {@link SerializationException}: a newer state must never be read by older code.
 */
public final class UserStateSerde implements Serde<UserState> {

    /** The version byte written by {@link #encode}. */
    public static final int VERSION = 1;

    private static final int FLAG_SECONDS = 1;

    @Override
    public Serializer<UserState> serializer() {
        return (topic, state) -> state == null ? null : encode(state);
    }

    @Override
    public Deserializer<UserState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    /** Encodes {@code s} with the layout above. */
    public static byte[] encode(UserState s) {
        boolean seconds = allWholeSeconds(s);
        long unit = seconds ? 1000L : 1L;
        long first = s.firstEventTime() / unit;
        Writer out = new Writer(24 + 8 * s.itemCount() + 24 * s.held().size());
        out.u8(VERSION);
        out.u8(seconds ? FLAG_SECONDS : 0);
        out.varLong(s.interactionCount());
        out.varLong(first);
        out.varLong(s.lastEventTime() / unit - first);
        out.varLong(s.itemCount());
        String previous = "";
        for (int i = 0; i < s.itemCount(); i++) {
            String id = s.item(i);
            out.frontCoded(previous, id);
            out.varLong(s.itemTime(i) / unit - first);
            previous = id;
        }
        out.varLong(s.held().size());
        for (UserState.HeldEvent e : s.held()) {
            byte[] id = e.itemId().getBytes(StandardCharsets.UTF_8);
            out.varLong(id.length);
            out.bytes(id, 0, id.length);
            int bits = Float.floatToIntBits(e.rating());
            out.u8(bits >>> 24);
            out.u8(bits >>> 16);
            out.u8(bits >>> 8);
            out.u8(bits);
            out.varLong(e.timestamp() / unit - first);
        }
        return out.toByteArray();
    }

    /** Decodes bytes written by {@link #encode}. */
    public static UserState decode(byte[] bytes) {
        Reader in = new Reader(bytes);
        int version = in.u8();
        if (version != VERSION) {
            throw new SerializationException("Unknown user-state version " + version + " (this build reads "
                    + VERSION + "), " + bytes.length + " bytes");
        }
        int flags = in.u8();
        long unit = (flags & FLAG_SECONDS) != 0 ? 1000L : 1L;
        int count = in.varInt();
        long first = in.varLong();
        long last = (first + in.varLong()) * unit;
        int itemCount = in.varInt();
        String[] items = new String[Math.max(8, itemCount)];
        long[] times = new long[items.length];
        byte[] id = new byte[32];
        int idLength = 0;
        for (int i = 0; i < itemCount; i++) {
            int shared = in.varInt();
            int suffix = in.varInt();
            if (shared > idLength) {
                throw new SerializationException("Corrupt user state: shared prefix " + shared + " > " + idLength);
            }
            if (shared + suffix > id.length) {
                id = Arrays.copyOf(id, Math.max(2 * id.length, shared + suffix));
            }
            in.bytes(id, shared, suffix);
            idLength = shared + suffix;
            items[i] = new String(id, 0, idLength, StandardCharsets.UTF_8);
            times[i] = (first + in.varLong()) * unit;
        }
        int heldCount = in.varInt();
        List<UserState.HeldEvent> held = new ArrayList<>(heldCount);
        for (int i = 0; i < heldCount; i++) {
            byte[] heldId = new byte[in.varInt()];
            in.bytes(heldId, 0, heldId.length);
            float rating = Float.intBitsToFloat(in.u8() << 24 | in.u8() << 16 | in.u8() << 8 | in.u8());
            held.add(new UserState.HeldEvent(new String(heldId, StandardCharsets.UTF_8), rating,
                    (first + in.varLong()) * unit));
        }
        if (in.pos != bytes.length) {
            throw new SerializationException("Corrupt user state: " + (bytes.length - in.pos) + " trailing bytes");
        }
        return new UserState(count, first * unit, last, items, times, itemCount, held);
    }

    private static boolean allWholeSeconds(UserState s) {
        if (s.firstEventTime() % 1000 != 0 || s.lastEventTime() % 1000 != 0) {
            return false;
        }
        for (int i = 0; i < s.itemCount(); i++) {
            if (s.itemTime(i) % 1000 != 0) {
                return false;
            }
        }
        for (UserState.HeldEvent e : s.held()) {
            if (e.timestamp() % 1000 != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** A growable output buffer without the per-byte locking of {@code ByteArrayOutputStream}. */
    private static final class Writer {
        private byte[] buf;
        private int pos;

        Writer(int capacity) {
            buf = new byte[capacity];
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

        void bytes(byte[] src, int off, int len) {
            ensure(len);
            System.arraycopy(src, off, buf, pos, len);
            pos += len;
        }

        /** {@code id} front-coded against {@code previous}: shared byte count, suffix length, suffix bytes. */
        void frontCoded(String previous, String id) {
            if (isAscii(id) && isAscii(previous)) {
                // one char is one UTF-8 byte: compare and copy chars, no byte[] per id
                int n = Math.min(previous.length(), id.length());
                int shared = 0;
                while (shared < n && previous.charAt(shared) == id.charAt(shared)) {
                    shared++;
                }
                varLong(shared);
                varLong(id.length() - shared);
                ensure(id.length() - shared);
                for (int i = shared; i < id.length(); i++) {
                    buf[pos++] = (byte) id.charAt(i);
                }
                return;
            }
            byte[] a = previous.getBytes(StandardCharsets.UTF_8);
            byte[] b = id.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(a.length, b.length);
            int shared = 0;
            while (shared < n && a[shared] == b[shared]) {
                shared++;
            }
            varLong(shared);
            varLong(b.length - shared);
            bytes(b, shared, b.length - shared);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, pos);
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(2 * buf.length, pos + n));
            }
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
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

        int varInt() {
            long v = varLong();
            if (v > Integer.MAX_VALUE) {
                throw new SerializationException("Corrupt user state: count " + v + " out of range");
            }
            return (int) v;
        }

        void bytes(byte[] dst, int off, int len) {
            if (len < 0 || pos + len > buf.length) {
                throw truncated();
            }
            System.arraycopy(buf, pos, dst, off, len);
            pos += len;
        }

        private SerializationException truncated() {
            return new SerializationException("Corrupt user state: truncated at byte " + pos + " of " + buf.length);
        }
    }
}
