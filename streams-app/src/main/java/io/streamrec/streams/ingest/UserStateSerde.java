package io.streamrec.streams.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * MovieLens-100k users take about 4-5 bytes per item. An unknown version fails with a
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 6 * s.itemCount() + 16 * s.held().size());
        out.write(VERSION);
        out.write(seconds ? FLAG_SECONDS : 0);
        writeVarLong(out, s.interactionCount());
        writeVarLong(out, first);
        writeVarLong(out, s.lastEventTime() / unit - first);
        writeVarLong(out, s.itemCount());
        byte[] previous = new byte[0];
        for (int i = 0; i < s.itemCount(); i++) {
            byte[] id = s.item(i).getBytes(StandardCharsets.UTF_8);
            int shared = sharedPrefix(previous, id);
            writeVarLong(out, shared);
            writeVarLong(out, id.length - shared);
            out.write(id, shared, id.length - shared);
            writeVarLong(out, s.itemTime(i) / unit - first);
            previous = id;
        }
        writeVarLong(out, s.held().size());
        for (UserState.HeldEvent e : s.held()) {
            byte[] id = e.itemId().getBytes(StandardCharsets.UTF_8);
            writeVarLong(out, id.length);
            out.write(id, 0, id.length);
            int bits = Float.floatToIntBits(e.rating());
            out.write(bits >>> 24);
            out.write(bits >>> 16);
            out.write(bits >>> 8);
            out.write(bits);
            writeVarLong(out, e.timestamp() / unit - first);
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
        byte[] previous = new byte[0];
        for (int i = 0; i < itemCount; i++) {
            int shared = in.varInt();
            int suffix = in.varInt();
            if (shared > previous.length) {
                throw new SerializationException("Corrupt user state: shared prefix " + shared + " > " + previous.length);
            }
            byte[] id = new byte[shared + suffix];
            System.arraycopy(previous, 0, id, 0, shared);
            in.bytes(id, shared, suffix);
            items[i] = new String(id, StandardCharsets.UTF_8);
            times[i] = (first + in.varLong()) * unit;
            previous = id;
        }
        int heldCount = in.varInt();
        List<UserState.HeldEvent> held = new ArrayList<>(heldCount);
        for (int i = 0; i < heldCount; i++) {
            byte[] id = new byte[in.varInt()];
            in.bytes(id, 0, id.length);
            float rating = Float.intBitsToFloat(in.u8() << 24 | in.u8() << 16 | in.u8() << 8 | in.u8());
            held.add(new UserState.HeldEvent(new String(id, StandardCharsets.UTF_8), rating,
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

    private static int sharedPrefix(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    private static void writeVarLong(ByteArrayOutputStream out, long v) {
        if (v < 0) {
            throw new IllegalStateException("Negative value " + v + " in user state");
        }
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
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
