package io.streamrec.streams.ingest;

import io.streamrec.streams.ingest.UserStateBuffers.Reader;
import io.streamrec.streams.ingest.UserStateBuffers.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact, append-friendly binary encoding of {@link UserState} (the value of {@code
 * user-state-store} and its changelog).
 *
 * <p>Layout, version 2 ({@code varint} = unsigned LEB128, 7 bits per byte, low bits first; {@code
 * zigzag} = a signed value zigzag-mapped, then a varint; {@code T} = a time in the unit given by
 * the flags, as a zigzag <em>relative to {@code base}</em>):
 *
 * <pre>
 *   u8      version            = 2
 *   u8      flags              bit 0: times are whole seconds (every time was a multiple of 1000 ms)
 *   varint  interactionCount
 *   varint  base               absolute, in the flags' unit: the minimum event time when the item section was
 *                              last rebuilt (later, earlier events make the relative times negative)
 *   T       first              minimum event time
 *   T       last               maximum event time
 *   varint  itemCount
 *   varint  itemBytes          length of the item section that follows
 *   itemCount x {              the item section: one entry per distinct item, in append order (no sort order)
 *     varint  itemIdBytes
 *     bytes   itemId           UTF-8
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
 *
 * Why this shape: ingest re-encodes a user's state at every commit the user had events in. The item
 * section does not depend on the counters, so a {@link UserState} keeps it encoded and appends a
 * new item's entry to it; encoding is then a short header, one array copy and the (bounded) held
 * events. The section is rebuilt, in the same order, only when an append cannot keep it exact: a
 * re-rating changes an item's time, or a time that is not a whole second arrives in a seconds-unit
 * state. Decoding keeps the section's order and builds the state's hash index over the items.
 *
 * <p>Version 1 (items sorted and front-coded, times relative to {@code first}; see {@code
 * docs/ingest.md}) is still read, so a store written by the previous build restores; it is never
 * written. An unknown version fails with a {@link SerializationException}: a newer state must never
 * be read by older code.
 */
public final class UserStateSerde implements Serde<UserState> {

  /** The version byte written by {@link #encode}. */
  public static final int VERSION = 2;

  /** The previous layout, still decoded. */
  public static final int VERSION_1 = 1;

  private static final int FLAG_SECONDS = 1;

  @Override
  public Serializer<UserState> serializer() {
    return (topic, state) -> state == null ? null : encode(state);
  }

  @Override
  public Deserializer<UserState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  /**
   * Encodes {@code s} with the layout above (rebuilding its item section first when it is not
   * exact).
   */
  public static byte[] encode(UserState s) {
    if (!s.itemLogValid() || (s.itemLogSeconds() && !countersAndHeldInWholeSeconds(s))) {
      rebuildItemLog(s);
    }
    long unit = s.itemLogSeconds() ? 1000L : 1L;
    long base = s.itemLogBase();
    // header and held events into small buffers, then one exact-size array: the item section (the
    // bulk of a heavy user's state) is copied once per encode, not twice
    Writer head = new Writer(48);
    head.u8(VERSION);
    head.u8(s.itemLogSeconds() ? FLAG_SECONDS : 0);
    head.varLong(s.interactionCount());
    head.varLong(base);
    head.zigzag(s.firstEventTime() / unit - base);
    head.zigzag(s.lastEventTime() / unit - base);
    head.varLong(s.itemCount());
    head.varLong(s.itemLogLength());
    Writer tail = new Writer(8 + 16 * s.held().size());
    tail.varLong(s.held().size());
    for (UserState.HeldEvent e : s.held()) {
      tail.utf8WithLength(e.itemId());
      int bits = Float.floatToIntBits(e.rating());
      tail.u8(bits >>> 24);
      tail.u8(bits >>> 16);
      tail.u8(bits >>> 8);
      tail.u8(bits);
      tail.zigzag(e.timestamp() / unit - base);
    }
    byte[] out = new byte[head.position() + s.itemLogLength() + tail.position()];
    System.arraycopy(head.buffer(), 0, out, 0, head.position());
    System.arraycopy(s.itemLog(), 0, out, head.position(), s.itemLogLength());
    System.arraycopy(tail.buffer(), 0, out, head.position() + s.itemLogLength(), tail.position());
    return out;
  }

  /**
   * Appends the entry of a new item to {@code s}'s encoded item section; false when it cannot (the
   * time is not a whole second in a seconds-unit section), and then the section must be rebuilt.
   */
  static boolean appendItem(UserState s, String itemId, long timestamp) {
    long unit = s.itemLogSeconds() ? 1000L : 1L;
    if (timestamp % unit != 0) {
      return false;
    }
    Writer w = new Writer(s.ensureItemLogRoom(3 * itemId.length() + 20), s.itemLogLength());
    w.utf8WithLength(itemId);
    w.zigzag(timestamp / unit - s.itemLogBase());
    s.itemLog(w.buffer(), w.position(), s.itemLogBase(), s.itemLogSeconds());
    return true;
  }

  /**
   * Re-encodes the whole item section of {@code s} (in its item order) relative to its current
   * minimum time.
   */
  static void rebuildItemLog(UserState s) {
    boolean seconds = allWholeSeconds(s);
    long unit = seconds ? 1000L : 1L;
    long base = Math.max(0L, s.firstEventTime() / unit);
    Writer w = new Writer(16 + 8 * s.itemCount());
    for (int i = 0; i < s.itemCount(); i++) {
      w.utf8WithLength(s.item(i));
      w.zigzag(s.itemTime(i) / unit - base);
    }
    s.itemLog(w.buffer(), w.position(), base, seconds);
  }

  /** Decodes bytes written by {@link #encode} (version 2) or by the previous build (version 1). */
  public static UserState decode(byte[] bytes) {
    Reader in = new Reader(bytes);
    int version = in.u8();
    if (version == VERSION_1) {
      return decodeVersion1(in);
    }
    if (version != VERSION) {
      throw new SerializationException(
          "Unknown user-state version "
              + version
              + " (this build reads "
              + VERSION_1
              + " and "
              + VERSION
              + "), "
              + bytes.length
              + " bytes");
    }
    int flags = in.u8();
    boolean seconds = (flags & FLAG_SECONDS) != 0;
    long unit = seconds ? 1000L : 1L;
    int count = in.varInt();
    long base = in.varLong();
    long first = (base + in.zigzag()) * unit;
    long last = (base + in.zigzag()) * unit;
    int itemCount = in.varInt();
    int itemBytes = in.varInt();
    int logStart = in.position();
    if (itemBytes > bytes.length - logStart || itemCount > itemBytes) {
      throw new SerializationException(
          "Corrupt user state: item section of "
              + itemBytes
              + " bytes for "
              + itemCount
              + " items in "
              + bytes.length
              + " bytes");
    }
    String[] items = new String[Math.max(8, itemCount)];
    long[] itemTimes = new long[items.length];
    for (int i = 0; i < itemCount; i++) {
      items[i] = in.utf8WithLength();
      itemTimes[i] = (base + in.zigzag()) * unit;
    }
    if (in.position() != logStart + itemBytes) {
      throw new SerializationException(
          "Corrupt user state: item section is "
              + (in.position() - logStart)
              + " bytes, header says "
              + itemBytes);
    }
    int heldCount = in.varInt();
    List<UserState.HeldEvent> held = new ArrayList<>(Math.min(heldCount, bytes.length));
    for (int i = 0; i < heldCount; i++) {
      String id = in.utf8WithLength();
      float rating = Float.intBitsToFloat(in.u8() << 24 | in.u8() << 16 | in.u8() << 8 | in.u8());
      held.add(new UserState.HeldEvent(id, rating, (base + in.zigzag()) * unit));
    }
    in.expectEnd();
    UserState s = state(count, first, last, items, itemTimes, itemCount, held);
    s.itemLog(Arrays.copyOfRange(bytes, logStart, logStart + itemBytes), itemBytes, base, seconds);
    return s;
  }

  /** Version 1: items sorted by id and front-coded, times unsigned relative to {@code first}. */
  private static UserState decodeVersion1(Reader in) {
    int flags = in.u8();
    long unit = (flags & FLAG_SECONDS) != 0 ? 1000L : 1L;
    int count = in.varInt();
    long first = in.varLong();
    long last = (first + in.varLong()) * unit;
    int itemCount = in.varInt();
    if (itemCount > in.remaining()) {
      throw in.truncated();
    }
    String[] items = new String[Math.max(8, itemCount)];
    long[] times = new long[items.length];
    byte[] id = new byte[32];
    int idLength = 0;
    for (int i = 0; i < itemCount; i++) {
      int shared = in.varInt();
      int suffix = in.varInt();
      if (shared > idLength) {
        throw new SerializationException(
            "Corrupt user state: shared prefix " + shared + " > " + idLength);
      }
      if (suffix > in.remaining()) {
        throw in.truncated();
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
    List<UserState.HeldEvent> held = new ArrayList<>(Math.min(heldCount, in.remaining()));
    for (int i = 0; i < heldCount; i++) {
      String heldId = in.utf8WithLength();
      float rating = Float.intBitsToFloat(in.u8() << 24 | in.u8() << 16 | in.u8() << 8 | in.u8());
      held.add(new UserState.HeldEvent(heldId, rating, (first + in.varLong()) * unit));
    }
    in.expectEnd();
    return state(count, first * unit, last, items, times, itemCount, held);
  }

  private static UserState state(
      int count,
      long first,
      long last,
      String[] items,
      long[] times,
      int itemCount,
      List<UserState.HeldEvent> held) {
    try {
      return new UserState(count, first, last, items, times, itemCount, held);
    } catch (IllegalArgumentException e) {
      throw new SerializationException("Corrupt user state: " + e.getMessage(), e);
    }
  }

  private static boolean countersAndHeldInWholeSeconds(UserState s) {
    if (s.firstEventTime() % 1000 != 0 || s.lastEventTime() % 1000 != 0) {
      return false;
    }
    for (UserState.HeldEvent e : s.held()) {
      if (e.timestamp() % 1000 != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean allWholeSeconds(UserState s) {
    if (!countersAndHeldInWholeSeconds(s)) {
      return false;
    }
    for (int i = 0; i < s.itemCount(); i++) {
      if (s.itemTime(i) % 1000 != 0) {
        return false;
      }
    }
    return true;
  }
}
