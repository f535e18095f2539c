package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.Trigger;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.registry.RegistryAvroDeserializer;
import io.streamrec.schemas.registry.RegistryAvroSerializer;
import io.streamrec.schemas.registry.RegistryUnavailableException;
import io.streamrec.schemas.registry.RegistryWireFormat;
import io.streamrec.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Schema Registry framing and the registry REST client, against {@link LocalSchemaRegistry}. */
class RegistryWireFormatTest {
  private static final Instant T0 = Instant.parse("1998-03-01T12:00:00Z");
  private LocalSchemaRegistry registry;

  @BeforeEach
  void start() {
    registry = LocalSchemaRegistry.start();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldFrameWithMagicZeroAndTheBigEndianIdAndRoundTripFromPlainClientConfig()
      throws Exception {
    // constructed as Kafka does it from value.serializer / value.deserializer class names
    Serializer<RatingEvent> ser =
        (Serializer<RatingEvent>)
            Class.forName(RegistryAvroSerializer.class.getName()).getConstructor().newInstance();
    ser.configure(Map.of(RegistryWireFormat.URL_CONFIG, registry.url()), false);
    Deserializer<RatingEvent> de =
        (Deserializer<RatingEvent>)
            Class.forName(RegistryAvroDeserializer.class.getName()).getConstructor().newInstance();
    de.configure(
        Map.of(
            RegistryWireFormat.URL_CONFIG,
            registry.url(),
            RegistryWireFormat.TYPE_CONFIG,
            RatingEvent.class.getName()),
        false);

    RatingEvent e = new RatingEvent("196", "242", 3f, T0, "ev-1");
    byte[] bytes = ser.serialize("ratings", e);
    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt(); // ByteBuffer is big-endian
    assertThat(registry.subjects()).containsExactly(Map.entry("ratings-value", List.of(id)));
    assertThat(new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5)).byId(id))
        .isEqualTo(RatingEvent.getClassSchema());
    assertThat(de.deserialize("ratings", bytes)).isEqualTo(e);

    int calls = registry.requests();
    for (int i = 0; i < 100; i++) {
      assertThat(de.deserialize("ratings", ser.serialize("ratings", e))).isEqualTo(e);
    }
    assertThat(registry.requests()).as("ids and schemas are cached").isEqualTo(calls);
    assertThat(ser.serialize("ratings", null)).isNull();
    assertThat(de.deserialize("ratings", null)).isNull();
  }

  @Test
  void shouldUseKeySubjectsAndFindTheReaderClassFromTheWriterSchemaName() {
    SchemaRegistryClient client =
        new SchemaRegistryClient(registry.url() + "/", Duration.ofSeconds(5));
    RegistryAvroSerializer<Recommendations> ser = new RegistryAvroSerializer<>();
    ser.configure(Map.of(RegistryWireFormat.URL_CONFIG, registry.url()), true);
    Recommendations r =
        Recommendations.newBuilder()
            .setUserId("u1")
            .setItems(List.of(new ScoredItem("7", 2.5f)))
            .setModelVersion(3L)
            .setGeneratedAt(T0)
            .setRequestId(null)
            .setTrigger(Trigger.REQUEST)
            .setFallback(false)
            .setUserEventTime(T0)
            .setEmbeddingEventTime(null)
            .build();
    byte[] bytes = ser.serialize("recs", r);
    assertThat(registry.subjects()).containsOnlyKeys("recs-key");
    RegistryAvroDeserializer<Recommendations> de = new RegistryAvroDeserializer<>(client, null);
    assertThat(de.deserialize("recs", bytes)).isEqualTo(r);
  }

  @Test
  void shouldReadAPayloadWrittenWithAnOlderRegisteredVersion() throws Exception {
    // a producer built before RatingEvent.eventId existed registers and writes schema v1
    Schema v1 = AvroSerde.of(RatingEvent.class).history().get(0);
    SchemaRegistryClient client = new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5));
    int oldId = client.register("ratings-value", v1);
    GenericRecord old = new GenericData.Record(v1);
    old.put("userId", "1");
    old.put("itemId", "2");
    old.put("rating", 4f);
    old.put("timestamp", T0.toEpochMilli());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(
        new byte[] {
          0, (byte) (oldId >>> 24), (byte) (oldId >>> 16), (byte) (oldId >>> 8), (byte) oldId
        });
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(v1).write(old, enc);
    enc.flush();

    RegistryAvroDeserializer<RatingEvent> de =
        new RegistryAvroDeserializer<>(client, RatingEvent.class);
    assertThat(de.deserialize("ratings", out.toByteArray()))
        .isEqualTo(new RatingEvent("1", "2", 4f, T0, null));
    // the new version registers as a second version of the same subject
    new RegistryAvroSerializer<RatingEvent>(client)
        .serialize("ratings", new RatingEvent("1", "2", 4f, T0, "x"));
    assertThat(registry.subjects().get("ratings-value")).hasSize(2).startsWith(oldId);
  }

  @Test
  void shouldFailWithSerializationExceptionsThatSayWhatIsWrong() {
    SchemaRegistryClient client = new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5));
    RegistryAvroDeserializer<RatingEvent> de =
        new RegistryAvroDeserializer<>(client, RatingEvent.class);
    byte[] singleObject =
        AvroSerde.of(RatingEvent.class).encode(new RatingEvent("1", "2", 4f, T0, null));
    assertThatThrownBy(() -> de.deserialize("ratings", singleObject))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Not Schema Registry framing")
        .hasMessageContaining("starts with c3");
    assertThatThrownBy(() -> de.deserialize("ratings", new byte[] {0, 0, 0, 0, 99, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("404")
        .hasMessageContaining("40403")
        .hasMessageContaining("Schema 99 not found");
    byte[] good =
        new RegistryAvroSerializer<RatingEvent>(client)
            .serialize("ratings", new RatingEvent("1", "2", 4f, T0, null));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertThatThrownBy(() -> de.deserialize("ratings", truncated))
        .isInstanceOf(SerializationException.class);
    byte[] trailing = Arrays.copyOf(good, good.length + 2);
    assertThatThrownBy(() -> de.deserialize("ratings", trailing))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("trailing bytes");

    String url = registry.url();
    registry.close();
    RegistryAvroSerializer<RatingEvent> down =
        new RegistryAvroSerializer<>(new SchemaRegistryClient(url, Duration.ofSeconds(2)));
    assertThatThrownBy(() -> down.serialize("ratings", new RatingEvent("1", "2", 4f, T0, null)))
        .isInstanceOf(RegistryUnavailableException.class)
        .isInstanceOf(RetriableException.class)
        .hasMessageContaining("unreachable")
        .hasMessageContaining(url);
    assertThatThrownBy(() -> new RegistryAvroSerializer<RatingEvent>().configure(Map.of(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(RegistryWireFormat.URL_CONFIG);
    registry = LocalSchemaRegistry.start();
  }
}
