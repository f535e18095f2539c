package io.streamrec.streams.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * What the ingest topology remembers about one user (value of {@code user-state-store}; key: the
 * user id). Mutable, owned by one processor at a time; persisted with {@link UserStateSerde}.
 *
 * <p>Invariants: {@code interactionCount >= itemCount() >= 1} once the user has an accepted event;
 * {@code firstEventTime <= lastEventTime} (milliseconds since the epoch, the minimum and maximum
 * accepted event time, not the arrival order); the distinct item ids are kept in the order they
 * were first accepted (the order of the encoded item section) with, per item, the newest event time
 * seen for it, and an open-addressing hash index over them (a slot holds the item's mixed hash in
 * its upper 32 bits and its position + 1 in the lower, 0 = free; at most half the slots are used),
 * so a lookup is one hash, a probe that compares hashes before it touches an item id, and about one
 * {@code equals} when the item is there (none when it is not); {@code held} holds at most {@code
 * min.user.interactions - 1} events, in arrival order, and is empty once the user qualified.
 *
 * <p>Besides the items (for lookups) a state carries its items already encoded: the item section of
 * {@link UserStateSerde}'s layout, to which a new item is appended, so that encoding the state
 * after an event copies that section instead of re-encoding every item. The section is rebuilt by
 * the serde when an append cannot keep it exact (a re-rating changes an item's time, a time that is
 * not a whole second arrives in a seconds-unit state); see {@link #itemLogValid()}.
 */
public final class UserState {

  /** An event held back until its user qualifies. */
  public record HeldEvent(String itemId, float rating, long timestamp) {}

  /**
   * Events are ordered for release by event time; {@link List#sort} is stable, so ties keep arrival
   * order.
   */
  public static final Comparator<HeldEvent> RELEASE_ORDER =
      Comparator.comparingLong(HeldEvent::timestamp);

  private static final byte[] NO_BYTES = new byte[0];

  private int interactionCount;
  private long firstEventTime;
  private long lastEventTime;
  private String[] items;
  private long[] itemTimes;
  private int itemCount;
  private long[] slots;
  private final List<HeldEvent> held;
  // the position (or, for a new item, the free slot) found by the last isDuplicate, reused by
  // record for the same
  // item instance: one probe per event
  private String lastLookup;
  private int lastPosition;
  private int lastFreeSlot;
  private int lastHash;

  // the encoded item section: itemLogLength bytes of itemLog, times relative to itemLogBase in the
  // unit
  // (1000 ms when itemLogSeconds); meaningful only while itemLogValid
  private byte[] itemLog = NO_BYTES;
  private int itemLogLength;
  private long itemLogBase;
  private boolean itemLogSeconds;
  private boolean itemLogValid;

  /**
   * Owned by {@link UserStateStore}: the key under which this (cached) state is dirty, not yet
   * written to the inner store; null when it is clean or not cached.
   */
  String dirtyUnder;

  /** Owned by {@link UserStateStore}: its flush count when it last returned or took this state. */
  int usedAt;

  /** A user with no accepted event yet. */
  public UserState() {
    this(0, 0L, 0L, new String[8], new long[8], 0, new ArrayList<>());
  }

  UserState(
      int interactionCount,
      long firstEventTime,
      long lastEventTime,
      String[] items,
      long[] itemTimes,
      int itemCount,
      List<HeldEvent> held) {
    this.interactionCount = interactionCount;
    this.firstEventTime = firstEventTime;
    this.lastEventTime = lastEventTime;
    this.items = items;
    this.itemTimes = itemTimes;
    this.itemCount = itemCount;
    this.held = held;
    this.slots = new long[slotsFor(itemCount)];
    for (int i = 0; i < itemCount; i++) {
      if (!index(i)) {
        throw new IllegalArgumentException("item '" + items[i] + "' appears twice");
      }
    }
  }

  /**
   * Whether an event for {@code itemId} at {@code timestamp} repeats one already accepted: the same
   * item at the same event time as the newest accepted interaction with that item.
   */
  public boolean isDuplicate(String itemId, long timestamp) {
    int i = find(itemId);
    lastLookup = itemId;
    lastPosition = i;
    return i >= 0 && itemTimes[i] == timestamp;
  }

  /** Counts one accepted interaction and returns the new count (1-based). */
  public int record(String itemId, long timestamp) {
    if (interactionCount == 0) {
      firstEventTime = timestamp;
      lastEventTime = timestamp;
    } else {
      firstEventTime = Math.min(firstEventTime, timestamp);
      lastEventTime = Math.max(lastEventTime, timestamp);
    }
    int i = itemId == lastLookup ? lastPosition : find(itemId);
    lastLookup = null;
    if (i >= 0) {
      if (timestamp > itemTimes[i]) {
        itemTimes[i] = timestamp;
        itemLogValid = false;
      }
    } else {
      appendItem(itemId, timestamp);
      if (itemLogValid) {
        itemLogValid = UserStateSerde.appendItem(this, itemId, timestamp);
      }
    }
    return ++interactionCount;
  }

  /** Holds an event back until the user qualifies. */
  public void hold(String itemId, float rating, long timestamp) {
    held.add(new HeldEvent(itemId, rating, timestamp));
  }

  /** Removes and returns the held events in release order (event time, stable). */
  public List<HeldEvent> drainHeld() {
    List<HeldEvent> out = new ArrayList<>(held);
    out.sort(RELEASE_ORDER);
    held.clear();
    return out;
  }

  public int interactionCount() {
    return interactionCount;
  }

  /** Minimum accepted event time, ms since the epoch (0 before the first event). */
  public long firstEventTime() {
    return firstEventTime;
  }

  /** Maximum accepted event time, ms since the epoch (0 before the first event). */
  public long lastEventTime() {
    return lastEventTime;
  }

  /** Number of distinct items. */
  public int itemCount() {
    return itemCount;
  }

  /** The {@code i}-th distinct item id, in the order the items were first accepted. */
  public String item(int i) {
    return items[i];
  }

  /** Newest event time (ms) of the {@code i}-th item. */
  public long itemTime(int i) {
    return itemTimes[i];
  }

  /** Whether the user interacted with {@code itemId}. */
  public boolean hasItem(String itemId) {
    lastLookup = null; // find overwrites the free slot that record would reuse
    return find(itemId) >= 0;
  }

  /** The held events, in arrival order (read-only view). */
  public List<HeldEvent> held() {
    return Collections.unmodifiableList(held);
  }

  /** Whether the encoded item section matches the items exactly (then encoding copies it). */
  boolean itemLogValid() {
    return itemLogValid;
  }

  byte[] itemLog() {
    return itemLog;
  }

  int itemLogLength() {
    return itemLogLength;
  }

  long itemLogBase() {
    return itemLogBase;
  }

  boolean itemLogSeconds() {
    return itemLogSeconds;
  }

  /**
   * Installs an encoded item section (by {@link UserStateSerde}); the state owns {@code log} from
   * now on.
   */
  void itemLog(byte[] log, int length, long base, boolean seconds) {
    itemLog = log;
    itemLogLength = length;
    itemLogBase = base;
    itemLogSeconds = seconds;
    itemLogValid = true;
  }

  /** Grows the item section buffer by at least {@code extra} bytes of room and returns it. */
  byte[] ensureItemLogRoom(int extra) {
    if (itemLogLength + extra > itemLog.length) {
      itemLog = Arrays.copyOf(itemLog, Math.max(2 * itemLog.length, itemLogLength + extra));
    }
    return itemLog;
  }

  void itemLogLength(int length) {
    itemLogLength = length;
  }

  private void appendItem(String itemId, long timestamp) {
    if (itemCount == items.length) {
      int n = Math.max(8, items.length * 2);
      items = Arrays.copyOf(items, n);
      itemTimes = Arrays.copyOf(itemTimes, n);
    }
    items[itemCount] = itemId;
    itemTimes[itemCount] = timestamp;
    itemCount++;
    if (2 * itemCount > slots.length) {
      grow();
      slots[freeSlot(lastHash)] = slot(lastHash, itemCount - 1);
    } else {
      // find (just before, for this item) ended at the free slot the new item goes into
      slots[lastFreeSlot] = slot(lastHash, itemCount - 1);
    }
  }

  /**
   * Position of {@code itemId} among the items, or -1; either way remembers its hash and, when
   * absent, the free slot where the probe ended (where {@link #appendItem} puts it).
   */
  private int find(String itemId) {
    int hash = mix(itemId.hashCode());
    int mask = slots.length - 1;
    for (int h = hash & mask; ; h = (h + 1) & mask) {
      long s = slots[h];
      if (s == 0) {
        lastHash = hash;
        lastFreeSlot = h;
        return -1;
      }
      int p = (int) s - 1;
      if ((int) (s >>> 32) == hash && items[p].equals(itemId)) {
        return p;
      }
    }
  }

  /**
   * Doubles the hash index, moving every slot by the hash it holds: no item id (and its String
   * hash) is read again.
   */
  private void grow() {
    long[] old = slots;
    slots = new long[2 * old.length];
    for (long s : old) {
      if (s != 0) {
        slots[freeSlot((int) (s >>> 32))] = s;
      }
    }
  }

  /** The first free slot of the probe sequence of {@code hash} (the index has one). */
  private int freeSlot(int hash) {
    int mask = slots.length - 1;
    int h = hash & mask;
    while (slots[h] != 0) {
      h = (h + 1) & mask;
    }
    return h;
  }

  /** Puts item {@code i} into the hash index; false when an equal id is already there. */
  private boolean index(int i) {
    int hash = mix(items[i].hashCode());
    int mask = slots.length - 1;
    for (int h = hash & mask; ; h = (h + 1) & mask) {
      long s = slots[h];
      if (s == 0) {
        slots[h] = slot(hash, i);
        return true;
      }
      if ((int) (s >>> 32) == hash && items[(int) s - 1].equals(items[i])) {
        return false;
      }
    }
  }

  private static long slot(int hash, int position) {
    return ((long) hash << 32) | (position + 1L);
  }

  /** A power of two of at least {@code 2 * n} slots and at least 16 (load factor at most 1/2). */
  private static int slotsFor(int n) {
    return Integer.highestOneBit(Math.max(16, 2 * n) - 1) << 1;
  }

  private static int mix(int h) {
    // the String hashes of short numeric ids differ mostly in their low bits: spread them (murmur3
    // finalizer step)
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  @Override
  public String toString() {
    return "UserState{count="
        + interactionCount
        + ", items="
        + itemCount
        + ", first="
        + firstEventTime
        + ", last="
        + lastEventTime
        + ", held="
        + held.size()
        + "}";
  }
}
