package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.avro.RatingEvent;
import io.streamrec.config.ConfigSource;
import io.streamrec.config.WireFormatConfig;
import io.streamrec.schemas.AvroSerde;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code schemas.wire.format} / {@code schemas.registry.url} switching {@link AvroSerde}'s wire
 * format.
 */
class WireFormatConfigTest {
  private static final RatingEvent E =
      new RatingEvent("1", "2", 3f, Instant.parse("1998-01-01T00:00:00Z"), "e");

  @AfterEach
  void reset() {
    AvroSerde.useRegistry(null, false);
  }

  @Test
  void shouldWriteSingleObjectByDefaultAndFramingWhenSelected() {
    AvroSerde<RatingEvent> serde = AvroSerde.of(RatingEvent.class);
    WireFormatConfig.apply(ConfigSource.of(Map.of()));
    byte[] single = serde.serializer().serialize("t", E);
    assertThat(single[0]).isEqualTo((byte) 0xC3);
    try (LocalSchemaRegistry registry = LocalSchemaRegistry.start()) {
      WireFormatConfig.apply(
          ConfigSource.of(
              Map.of("schemas.wire.format", "Registry", "schemas.registry.url", registry.url())));
      assertThat(AvroSerde.writesRegistryFormat()).isTrue();
      byte[] framed = serde.serializer().serialize("t", E);
      assertThat(framed[0]).isEqualTo((byte) 0);
      assertThat(registry.subjects()).containsOnlyKeys("t-value");
      assertThat(serde.decode(framed)).isEqualTo(E);
      assertThat(serde.decode(single)).isEqualTo(E);
      assertThat(serde.encode(E)[0])
          .as("encode without a topic stays single-object")
          .isEqualTo((byte) 0xC3);

      // reading framed payloads while still writing single-object (a migration's first step)
      WireFormatConfig.apply(ConfigSource.of(Map.of("schemas.registry.url", registry.url())));
      assertThat(AvroSerde.writesRegistryFormat()).isFalse();
      assertThat(serde.serializer().serialize("t", E)[0]).isEqualTo((byte) 0xC3);
      assertThat(serde.decode(framed)).isEqualTo(E);

      WireFormatConfig.apply(ConfigSource.of(Map.of()));
      assertThatThrownBy(() -> serde.decode(framed))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("Schema Registry framing")
          .hasMessageContaining("schemas.registry.url");
    }
  }

  @Test
  void shouldRejectAnUnknownFormatAndRegistryWithoutUrl() {
    assertThatThrownBy(
            () -> WireFormatConfig.apply(ConfigSource.of(Map.of("schemas.wire.format", "json"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schemas.wire.format");
    assertThatThrownBy(
            () ->
                WireFormatConfig.apply(ConfigSource.of(Map.of("schemas.wire.format", "registry"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schemas.registry.url");
    assertThatThrownBy(
            () ->
                WireFormatConfig.apply(
                    ConfigSource.of(
                        Map.of(
                            "schemas.wire.format", "registry", "schemas.registry.url", "ftp://x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http");
  }
}
