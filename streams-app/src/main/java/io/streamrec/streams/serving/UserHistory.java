package io.streamrec.streams.serving;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What serving remembers of one user's interactions: the distinct items seen (first-seen order) and the newest
 * interaction event time (epoch ms, {@link Long#MIN_VALUE} when none). Immutable.
 *
 * <p>Store encoding ({@link #SERDE}): version byte {@code 1}, newest event time (8 bytes), item count (4 bytes),
 * then each item id as a 4-byte length and UTF-8 bytes.
 */
public record UserHistory(List<String> items, long newestEventTime) {
  /** No interactions. */
  public static final UserHistory EMPTY = new UserHistory(List.of(), Long.MIN_VALUE);

  /** The store serde. */
  public static final Serde<UserHistory> SERDE = new HistorySerde();

  public UserHistory {
    items = List.copyOf(items);
  }

  /** This history plus one interaction (the item is added once; the newest time only moves forward). */
  public UserHistory with(final String itemId, final long eventTime) {
    final long newest = Math.max(newestEventTime, eventTime);
    if (items.contains(itemId)) {
      return newest == newestEventTime ? this : new UserHistory(items, newest);
    }
    final List<String> next = new ArrayList<>(items.size() + 1);
    next.addAll(items);
    next.add(itemId);
    return new UserHistory(next, newest);
  }

  /** The newest event time, or {@code null} when there was none. */
  public Long newestOrNull() {
    return newestEventTime == Long.MIN_VALUE ? null : newestEventTime;
  }

  private static final class HistorySerde implements Serde<UserHistory> {
    @Override
    public Serializer<UserHistory> serializer() {
      return (topic, h) -> {
        if (h == null) {
          return null;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + h.items().size() * 8);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
          out.writeByte(1);
          out.writeLong(h.newestEventTime());
          out.writeInt(h.items().size());
          for (String id : h.items()) {
            final byte[] b = id.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
          }
        } catch (IOException e) {
          throw new SerializationException("Cannot encode user history", e);
        }
        return bytes.toByteArray();
      };
    }

    @Override
    public Deserializer<UserHistory> deserializer() {
      return (topic, data) -> {
        if (data == null) {
          return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
          final int version = in.readByte();
          if (version != 1) {
            throw new SerializationException("Unknown user history encoding version " + version);
          }
          final long newest = in.readLong();
          final int n = in.readInt();
          final List<String> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            final byte[] b = new byte[in.readInt()];
            in.readFully(b);
            items.add(new String(b, StandardCharsets.UTF_8));
          }
          return new UserHistory(items, newest);
        } catch (IOException e) {
          throw new SerializationException("Cannot decode user history (" + data.length + " bytes)", e);
        }
      };
    }
  }
}
