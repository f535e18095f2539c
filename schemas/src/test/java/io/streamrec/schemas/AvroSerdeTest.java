package io.streamrec.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.TrainingExample;
import io.streamrec.avro.Trigger;
import io.streamrec.avro.test.EvolutionProbe;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static final Instant T0 = Instant.parse("1997-09-20T03:05:10Z");

  @Test
  void shouldRoundTripEveryTopicValue() {
    RatingEvent rating = new RatingEvent("196", "242", 3.0f, T0);
    TrainingExample example = new TrainingExample("196", "242", 3.0f, T0, 21);
    EmbeddingUpdate emb = new EmbeddingUpdate("242", List.of(0.5f, -1.25f, 3.0f), 0.1f, 7L, T0.plusSeconds(5), T0,
        12.5, T0.toEpochMilli(), 0.3f, 86_400_000L);
    RecommendationRequest req = new RecommendationRequest("196", 10, "req-1");
    Recommendations recs = Recommendations.newBuilder()
        .setUserId("196").setItems(List.of(new ScoredItem("50", 2.5f), new ScoredItem("100", 1.0f)))
        .setModelVersion(7L).setGeneratedAt(T0).setRequestId("req-1").setTrigger(Trigger.REQUEST)
        .setFallback(false).setUserEventTime(T0).setEmbeddingEventTime(null).build();

    assertRoundTrip(Topics.RATINGS.valueSerde(), rating);
    assertRoundTrip(Topics.TRAINING_EXAMPLES.valueSerde(), example);
    assertRoundTrip(Topics.ITEM_EMBEDDINGS.valueSerde(), emb);
    assertRoundTrip(Topics.RECOMMENDATION_REQUESTS.valueSerde(), req);
    assertRoundTrip(Topics.RECOMMENDATIONS.valueSerde(), recs);
  }

  @Test
  void shouldUseSingleObjectEncodingWithTenByteHeader() {
    AvroSerde<RatingEvent> serde = AvroSerde.of(RatingEvent.class);
    byte[] bytes = serde.encode(new RatingEvent("1", "2", 4.0f, T0));
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fp = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fp).isEqualTo(AvroSerde.fingerprint(RatingEvent.getClassSchema()));
  }

  @Test
  void shouldReadRecordWrittenWithOlderSchemaVersion() throws Exception {
    AvroSerde<EvolutionProbe> serde = AvroSerde.of(EvolutionProbe.class);
    assertThat(serde.history()).hasSize(1);
    Schema v1 = serde.history().get(0);
    assertThat(v1.getField("note")).isNull();

    GenericRecord old = new GenericData.Record(v1);
    old.put("userId", "42");
    old.put("rating", 4.5f);
    ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);

    EvolutionProbe decoded = serde.decode(bytes);
    assertThat(decoded.getUserId()).isEqualTo("42");
    assertThat(decoded.getRating()).isEqualTo(4.5f);
    assertThat(decoded.getNote()).isNull();
  }

  @Test
  void shouldFailWithSerializationExceptionOnGarbage() {
    var deserializer = Topics.RATINGS.valueSerde().deserializer();
    assertThatThrownBy(() -> deserializer.deserialize("t", "not avro".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not Avro single-object encoding");
    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[0]))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldFailWithSerializationExceptionOnUnknownFingerprint() {
    byte[] bytes = AvroSerde.of(RatingEvent.class).encode(new RatingEvent("1", "2", 4.0f, T0));
    bytes[5] ^= 0x5A;
    assertThatThrownBy(() -> AvroSerde.of(RatingEvent.class).decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }

  @Test
  void shouldFailWithSerializationExceptionOnTruncatedBody() {
    byte[] bytes = AvroSerde.of(RatingEvent.class).encode(new RatingEvent("1", "2", 4.0f, T0));
    byte[] truncated = java.util.Arrays.copyOf(bytes, 12);
    assertThatThrownBy(() -> AvroSerde.of(RatingEvent.class).decode(truncated))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldDecodeNullAsTombstone() {
    assertThat(Topics.USER_EMBEDDINGS.valueSerde().deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldKeepEveryPublishedSchemaReadableByTheCurrentOne() {
    for (TopicSpec<?, ?> spec : Topics.all()) {
      if (!(spec.valueSerde() instanceof AvroSerde<?> avro)) {
        continue;
      }
      assertThat(avro.history()).as("history of %s", avro.schema().getFullName()).isNotEmpty();
      for (Schema old : avro.history()) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(avro.schema(), old);
        assertThat(result.getType())
            .as("%s can read its earlier version", avro.schema().getFullName())
            .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      }
    }
  }

  private static <T> void assertRoundTrip(org.apache.kafka.common.serialization.Serde<T> serde, T value) {
    byte[] bytes = serde.serializer().serialize("topic", value);
    assertThat(serde.deserializer().deserialize("topic", bytes)).isEqualTo(value);
  }
}
