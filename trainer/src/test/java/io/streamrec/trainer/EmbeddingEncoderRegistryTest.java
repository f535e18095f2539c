package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.registry.SchemaRegistryClient;
import io.streamrec.testkit.LocalSchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The trainer's embedding rows in the Schema Registry wire format when the process selects it. */
class EmbeddingEncoderRegistryTest {

  @AfterEach
  void singleObjectAgain() {
    AvroSerde.useRegistry(null, false);
  }

  @Test
  void shouldWriteTheFastSingleObjectBytesByDefaultAndRegistryFramingWhenSelected() {
    EmbeddingEncoder enc = new EmbeddingEncoder();
    float[] v = {0.5f, -1f, 2f};
    byte[] fast =
        enc.encodeFor("t", "i7", v, 0.25f, 3L, 2_000L, 1_000L, 4.5, 1_000L, 0.1f, 60_000L);
    assertThat(fast)
        .isEqualTo(enc.encode("i7", v, 0.25f, 3L, 2_000L, 1_000L, 4.5, 1_000L, 0.1f, 60_000L));
    EmbeddingUpdate expected = AvroSerde.of(EmbeddingUpdate.class).decode(fast);
    assertThat(expected.getVector()).containsExactly(0.5f, -1f, 2f);
    assertThat(expected.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000L));
    try (LocalSchemaRegistry registry = LocalSchemaRegistry.start()) {
      AvroSerde.useRegistry(new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5)), true);
      byte[] framed =
          enc.encodeFor(
              "streamrec.model.item-embeddings.v1",
              "i7",
              v,
              0.25f,
              3L,
              2_000L,
              1_000L,
              4.5,
              1_000L,
              0.1f,
              60_000L);
      assertThat(framed[0]).isEqualTo((byte) 0);
      assertThat(registry.subjects()).containsOnlyKeys("streamrec.model.item-embeddings.v1-value");
      assertThat(AvroSerde.of(EmbeddingUpdate.class).decode(framed)).isEqualTo(expected);
      assertThat(registry.subjects().get("streamrec.model.item-embeddings.v1-value"))
          .isEqualTo(List.of(1));
    }
  }
}
