package io.streamrec.streams.serving;

import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A user's current vector as serving stores it: raw floats, not re-encoded Avro.
 *
 * <p>Store encoding ({@link #SERDE}), big-endian: version byte {@code 1}, model version (8 bytes),
 * event time (epoch ms, 8 bytes), dimension {@code d} (4 bytes), then {@code d} IEEE-754 floats (4
 * bytes each): {@code 21 + 4d} bytes.
 */
public record UserVector(float[] vector, long modelVersion, long eventTimeMs) {
  /** The store serde. */
  public static final Serde<UserVector> SERDE = new VectorSerde();

  private static final byte VERSION = 1;

  private static final class VectorSerde
      implements Serde<UserVector>, Serializer<UserVector>, Deserializer<UserVector> {
    @Override
    public void close() {
      // stateless
    }

    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
      // nothing to configure
    }

    @Override
    public Serializer<UserVector> serializer() {
      return this;
    }

    @Override
    public Deserializer<UserVector> deserializer() {
      return this;
    }

    @Override
    public byte[] serialize(final String topic, final UserVector v) {
      if (v == null) {
        return null;
      }
      final ByteBuffer b = ByteBuffer.allocate(21 + 4 * v.vector.length);
      b.put(VERSION).putLong(v.modelVersion).putLong(v.eventTimeMs).putInt(v.vector.length);
      b.asFloatBuffer().put(v.vector);
      return b.array();
    }

    @Override
    public UserVector deserialize(final String topic, final byte[] data) {
      if (data == null) {
        return null;
      }
      if (data.length < 21 || data[0] != VERSION) {
        throw new SerializationException("Not a user vector (" + data.length + " bytes)");
      }
      final ByteBuffer b = ByteBuffer.wrap(data);
      b.get();
      final long version = b.getLong();
      final long eventTime = b.getLong();
      final int d = b.getInt();
      if (d < 0 || data.length != 21 + 4 * d) {
        throw new SerializationException(
            "User vector of dimension " + d + " in " + data.length + " bytes");
      }
      final float[] v = new float[d];
      b.asFloatBuffer().get(v);
      return new UserVector(v, version, eventTime);
    }
  }
}
