package io.streamrec.streams.serving;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What serving remembers of one user's interactions: the distinct items seen (first-seen order) and
 * the newest interaction event time (epoch ms, {@link Long#MIN_VALUE} when none). Mutable: the
 * serve node keeps the decoded history of recent users in memory and appends to it, instead of
 * decoding and copying it per event; not thread-safe (one task thread; the HTTP route reads its own
 * decoded copy from the store).
 *
 * <p>Store encoding ({@link #SERDE}): version byte {@code 1}, newest event time (8 bytes), item
 * count (4 bytes), then each item id as a 4-byte length and UTF-8 bytes.
 */
public final class UserHistory {
  /** The store serde. */
  public static final Serde<UserHistory> SERDE = new HistorySerde();

  private final List<String> items;
  private final Set<String> seen;
  private long newestEventTime;

  private UserHistory(final List<String> items, final long newestEventTime) {
    this.items = items;
    this.seen = new HashSet<>(items);
    this.newestEventTime = newestEventTime;
  }

  /** A history without interactions. */
  public static UserHistory empty() {
    return new UserHistory(new ArrayList<>(), Long.MIN_VALUE);
  }

  /** A history of {@code items} (duplicates dropped). */
  public static UserHistory of(final List<String> items, final long newestEventTime) {
    final UserHistory h = empty();
    for (String i : items) {
      h.add(i, newestEventTime);
    }
    return h;
  }

  /**
   * Adds one interaction (the item once; the newest time only moves forward); returns whether it
   * changed.
   */
  public boolean add(final String itemId, final long eventTime) {
    boolean changed = false;
    if (eventTime > newestEventTime) {
      newestEventTime = eventTime;
      changed = true;
    }
    if (seen.add(itemId)) {
      items.add(itemId);
      changed = true;
    }
    return changed;
  }

  /** The distinct items, first seen first (a read-only view). */
  public List<String> items() {
    return Collections.unmodifiableList(items);
  }

  /** The distinct items as a read-only set (for exclusion lookups). */
  public Set<String> seen() {
    return Collections.unmodifiableSet(seen);
  }

  /** Items seen. */
  public int size() {
    return items.size();
  }

  /** The newest event time, or {@link Long#MIN_VALUE} when there was none. */
  public long newestEventTime() {
    return newestEventTime;
  }

  /** The newest event time, or {@code null} when there was none. */
  public Long newestOrNull() {
    return newestEventTime == Long.MIN_VALUE ? null : newestEventTime;
  }

  private static final class HistorySerde
      implements Serde<UserHistory>, Serializer<UserHistory>, Deserializer<UserHistory> {
    @Override
    public void close() {
      // stateless
    }

    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
      // nothing to configure
    }

    @Override
    public Serializer<UserHistory> serializer() {
      return this;
    }

    @Override
    public Deserializer<UserHistory> deserializer() {
      return this;
    }

    @Override
    public byte[] serialize(final String topic, final UserHistory h) {
      if (h == null) {
        return null;
      }
      final int n = h.items.size();
      final byte[][] encoded = new byte[n][];
      int bytes = 13 + 4 * n;
      for (int i = 0; i < n; i++) {
        encoded[i] = h.items.get(i).getBytes(StandardCharsets.UTF_8);
        bytes += encoded[i].length;
      }
      final ByteBuffer b = ByteBuffer.allocate(bytes);
      b.put((byte) 1).putLong(h.newestEventTime).putInt(n);
      for (byte[] e : encoded) {
        b.putInt(e.length).put(e);
      }
      return b.array();
    }

    @Override
    public UserHistory deserialize(final String topic, final byte[] data) {
      if (data == null) {
        return null;
      }
      try {
        final ByteBuffer b = ByteBuffer.wrap(data);
        final int version = b.get();
        if (version != 1) {
          throw new SerializationException("Unknown user history encoding version " + version);
        }
        final long newest = b.getLong();
        final int n = b.getInt();
        final List<String> items = new ArrayList<>(Math.max(0, Math.min(n, data.length / 4)));
        for (int i = 0; i < n; i++) {
          final int len = b.getInt();
          items.add(new String(data, b.position(), len, StandardCharsets.UTF_8));
          b.position(b.position() + len);
        }
        return new UserHistory(items, newest);
      } catch (RuntimeException e) {
        if (e instanceof SerializationException s) {
          throw s;
        }
        throw new SerializationException(
            "Cannot decode user history (" + data.length + " bytes)", e);
      }
    }
  }
}
