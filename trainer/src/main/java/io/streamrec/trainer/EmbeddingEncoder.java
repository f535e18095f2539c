package io.streamrec.trainer;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.schemas.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes an {@link EmbeddingUpdate} in Avro single-object encoding straight from a {@code float[]}
 * row: the same bytes as {@code AvroSerde.of(EmbeddingUpdate.class).encode(...)} (header {@code C3
 * 01}, the schema's CRC-64-AVRO fingerprint little-endian, then the fields in schema order, the
 * vector as one array block), without building the record and its boxed {@code List<Float>}. A
 * publish writes every changed row, as many records per second as the trainer learns examples, so
 * this is on the trainer's hot path. Not thread-safe: one per publisher.
 */
final class EmbeddingEncoder {
  private static final byte[] HEADER = header();

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private BinaryEncoder encoder;

  /**
   * As {@link #encode}, in the process's Avro wire format: the single-object fast path by default,
   * the record through {@link AvroSerde#encode(String, org.apache.avro.specific.SpecificRecord)}
   * (registered under {@code <topic>-value}) when the Schema Registry format is selected
   * (docs/registry.md).
   */
  byte[] encodeFor(
      String topic,
      String id,
      float[] vector,
      float bias,
      long modelVersion,
      long updatedAtMillis,
      long eventTimeMillis,
      double popularityCount,
      long popularityTimeMs,
      float popularityWeight,
      long popularityHalfLifeMs) {
    if (!AvroSerde.writesRegistryFormat()) {
      return encode(
          id,
          vector,
          bias,
          modelVersion,
          updatedAtMillis,
          eventTimeMillis,
          popularityCount,
          popularityTimeMs,
          popularityWeight,
          popularityHalfLifeMs);
    }
    List<Float> v = new ArrayList<>(vector.length);
    for (float x : vector) {
      v.add(x);
    }
    return AvroSerde.of(EmbeddingUpdate.class)
        .encode(
            topic,
            EmbeddingUpdate.newBuilder()
                .setId(id)
                .setVector(v)
                .setBias(bias)
                .setModelVersion(modelVersion)
                .setUpdatedAt(Instant.ofEpochMilli(updatedAtMillis))
                .setEventTime(Instant.ofEpochMilli(eventTimeMillis))
                .setPopularityCount(popularityCount)
                .setPopularityTimeMs(popularityTimeMs)
                .setPopularityWeight(popularityWeight)
                .setPopularityHalfLifeMs(popularityHalfLifeMs)
                .setDimension(vector.length)
                .build());
  }

  /** The field values of one {@code EmbeddingUpdate}; times in epoch milliseconds. */
  byte[] encode(
      String id,
      float[] vector,
      float bias,
      long modelVersion,
      long updatedAtMillis,
      long eventTimeMillis,
      double popularityCount,
      long popularityTimeMs,
      float popularityWeight,
      long popularityHalfLifeMs) {
    buffer.reset();
    buffer.write(HEADER, 0, HEADER.length);
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    try {
      encoder.writeString(id);
      encoder.writeArrayStart();
      encoder.setItemCount(vector.length);
      for (float x : vector) {
        encoder.startItem();
        encoder.writeFloat(x);
      }
      encoder.writeArrayEnd();
      encoder.writeFloat(bias);
      encoder.writeLong(modelVersion);
      encoder.writeLong(updatedAtMillis);
      encoder.writeLong(eventTimeMillis);
      encoder.writeDouble(popularityCount);
      encoder.writeLong(popularityTimeMs);
      encoder.writeFloat(popularityWeight);
      encoder.writeLong(popularityHalfLifeMs);
      // the model's dimension travels with every row (docs/serving.md, "Embedding dimension")
      encoder.writeInt(vector.length);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private static byte[] header() {
    long fp = AvroSerde.fingerprint(EmbeddingUpdate.getClassSchema());
    byte[] h = new byte[10];
    h[0] = (byte) 0xC3;
    h[1] = 0x01;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (fp >>> (8 * i));
    }
    return h;
  }
}
