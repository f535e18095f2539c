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
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static final Instant T0 = Instant.parse("1997-09-20T03:05:10Z");

  @Test
  void shouldRoundTripEveryTopicValue() {
    RatingEvent rating = new RatingEvent("196", "242", 3.0f, T0, null);
    TrainingExample example = new TrainingExample("196", "242", 3.0f, T0, 21);
    EmbeddingUpdate emb =
        new EmbeddingUpdate(
            "242",
            List.of(0.5f, -1.25f, 3.0f),
            0.1f,
            7L,
            T0.plusSeconds(5),
            T0,
            12.5,
            T0.toEpochMilli(),
            0.3f,
            86_400_000L,
            3);
    RecommendationRequest req = new RecommendationRequest("196", 10, "req-1");
    Recommendations recs =
        Recommendations.newBuilder()
            .setUserId("196")
            .setItems(List.of(new ScoredItem("50", 2.5f), new ScoredItem("100", 1.0f)))
            .setModelVersion(7L)
            .setGeneratedAt(T0)
            .setRequestId("req-1")
            .setTrigger(Trigger.REQUEST)
            .setFallback(false)
            .setUserEventTime(T0)
            .setEmbeddingEventTime(null)
            .build();

    assertRoundTrip(Topics.RATINGS.valueSerde(), rating);
    assertRoundTrip(Topics.TRAINING_EXAMPLES.valueSerde(), example);
    assertRoundTrip(Topics.ITEM_EMBEDDINGS.valueSerde(), emb);
    assertRoundTrip(Topics.RECOMMENDATION_REQUESTS.valueSerde(), req);
    assertRoundTrip(Topics.RECOMMENDATIONS.valueSerde(), recs);
  }

  @Test
  void shouldUseSingleObjectEncodingWithTenByteHeader() {
    AvroSerde<RatingEvent> serde = AvroSerde.of(RatingEvent.class);
    byte[] bytes = serde.encode(new RatingEvent("1", "2", 4.0f, T0, null));
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fp = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
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
    assertThatThrownBy(
            () -> deserializer.deserialize("t", "not avro".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not Avro single-object encoding");
    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[0]))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldFailWithSerializationExceptionOnUnknownFingerprint() {
    byte[] bytes =
        AvroSerde.of(RatingEvent.class).encode(new RatingEvent("1", "2", 4.0f, T0, null));
    bytes[5] ^= 0x5A;
    assertThatThrownBy(() -> AvroSerde.of(RatingEvent.class).decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }

  @Test
  void shouldFailWithSerializationExceptionOnTruncatedBody() {
    byte[] bytes =
        AvroSerde.of(RatingEvent.class).encode(new RatingEvent("1", "2", 4.0f, T0, null));
    byte[] truncated = Arrays.copyOf(bytes, 12);
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

  @Test
  void shouldDocumentEveryFieldAndGiveEveryEnumADefault() {
    for (TopicSpec<?, ?> spec : Topics.all()) {
      if (spec.valueSerde() instanceof AvroSerde<?> avro) {
        checkDocsAndDefaults(avro.schema(), new HashSet<>());
      }
    }
    assertThat(Trigger.getClassSchema().getEnumDefault()).isEqualTo("UNKNOWN");
  }

  private static void checkDocsAndDefaults(Schema s, Set<String> seen) {
    switch (s.getType()) {
      case RECORD -> {
        if (!seen.add(s.getFullName())) {
          return;
        }
        assertThat(s.getDoc()).as("doc of record %s", s.getFullName()).isNotBlank();
        for (Schema.Field f : s.getFields()) {
          assertThat(f.doc()).as("doc of %s.%s", s.getFullName(), f.name()).isNotBlank();
          checkDocsAndDefaults(f.schema(), seen);
        }
      }
      case ENUM ->
          assertThat(s.getEnumDefault())
              .as("default symbol of enum %s", s.getFullName())
              .isNotNull();
      case ARRAY -> checkDocsAndDefaults(s.getElementType(), seen);
      case MAP -> checkDocsAndDefaults(s.getValueType(), seen);
      case UNION -> s.getTypes().forEach(t -> checkDocsAndDefaults(t, seen));
      default -> {}
    }
  }

  @Test
  void shouldReadRatingsWrittenBeforeEventIdExistedAsWithoutOne() throws Exception {
    Schema v1 = AvroSerde.of(RatingEvent.class).history().get(0);
    assertThat(v1.getField("eventId")).isNull();
    List<Schema> history = AvroSerde.of(RatingEvent.class).history();
    assertThat(AvroSerde.fingerprint(history.get(history.size() - 1)))
        .as("the current version is in the history too")
        .isEqualTo(AvroSerde.fingerprint(RatingEvent.getClassSchema()));
    GenericRecord old = new GenericData.Record(v1);
    old.put("userId", "7");
    old.put("itemId", "9");
    old.put("rating", 5f);
    old.put("timestamp", T0.toEpochMilli());
    ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    RatingEvent decoded = AvroSerde.of(RatingEvent.class).decode(bytes);
    assertThat(decoded).isEqualTo(new RatingEvent("7", "9", 5f, T0, null));
    RatingEvent withId = new RatingEvent("7", "9", 5f, T0, "src-0-42");
    assertRoundTrip(Topics.RATINGS.valueSerde(), withId);
  }

  @Test
  void shouldReadListsWrittenBeforeTheUnknownTriggerExisted() throws Exception {
    AvroSerde<Recommendations> serde = AvroSerde.of(Recommendations.class);
    Schema v2 = serde.history().get(1);
    assertThat(v2.getField("trigger").schema().getEnumSymbols()).doesNotContain("UNKNOWN");
    GenericRecord item = new GenericData.Record(v2.getField("items").schema().getElementType());
    item.put("itemId", "3");
    item.put("score", 1.5f);
    GenericRecord old = new GenericData.Record(v2);
    old.put("userId", "u");
    old.put("items", List.of(item));
    old.put("modelVersion", 4L);
    old.put("generatedAt", T0.toEpochMilli());
    old.put("trigger", new GenericData.EnumSymbol(v2.getField("trigger").schema(), "REQUEST"));
    old.put("fallback", false);
    old.put("coalescedEvents", 1);
    ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    Recommendations decoded = serde.decode(bytes);
    assertThat(decoded.getTrigger()).isEqualTo(Trigger.REQUEST);
    assertThat(decoded.getItems()).containsExactly(new ScoredItem("3", 1.5f));
  }

  @Test
  void shouldMapATriggerAddedLaterToTheDefaultSymbol() throws Exception {
    // a writer one version ahead, with a symbol this reader does not know
    Schema future =
        new Schema.Parser()
            .parse(
                Recommendations.getClassSchema()
                    .toString()
                    .replace("\"UNKNOWN\"]", "\"UNKNOWN\",\"SCHEDULED\"]"));
    assertThat(future.getField("trigger").schema().getEnumSymbols()).contains("SCHEDULED");
    GenericRecord r = new GenericData.Record(future);
    r.put("userId", "u");
    r.put("items", List.of());
    r.put("modelVersion", 1L);
    r.put("generatedAt", T0.toEpochMilli());
    r.put("requestId", null);
    r.put("trigger", new GenericData.EnumSymbol(future.getField("trigger").schema(), "SCHEDULED"));
    r.put("fallback", false);
    r.put("userEventTime", null);
    r.put("embeddingEventTime", null);
    r.put("coalescedEvents", 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(future).write(r, enc);
    enc.flush();
    SpecificDatumReader<Recommendations> reader =
        new SpecificDatumReader<>(future, Recommendations.getClassSchema());
    Recommendations decoded =
        reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertThat(decoded.getTrigger()).isEqualTo(Trigger.UNKNOWN);
  }

  private static <T> void assertRoundTrip(Serde<T> serde, T value) {
    byte[] bytes = serde.serializer().serialize("topic", value);
    assertThat(serde.deserializer().deserialize("topic", bytes)).isEqualTo(value);
  }
}
