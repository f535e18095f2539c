package io.streamrec.config;

import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.registry.SchemaRegistryClient;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide choice of Avro wire format, from two keys every entry point reads with its own
 * config (so also {@code STREAMREC_SCHEMAS_WIRE_FORMAT} and {@code
 * STREAMREC_SCHEMAS_REGISTRY_URL}):
 *
 * <ul>
 *   <li>{@code schemas.wire.format}: {@code single-object} (default: Avro single-object encoding,
 *       no registry) or {@code registry} (the Schema Registry wire format, Confluent framing, on
 *       every Avro topic).
 *   <li>{@code schemas.registry.url}: the registry's Confluent-compatible API, e.g. {@code
 *       http://registry:8081} (Apicurio Registry: {@code http://registry:8080/apis/ccompat/v7}).
 *       Required for {@code registry}; with {@code single-object} it still lets readers decode
 *       framed payloads (a migration in either direction).
 * </ul>
 */
public final class WireFormatConfig {
  public static final String FORMAT_KEY = "schemas.wire.format";
  public static final String URL_KEY = "schemas.registry.url";
  private static final Logger log = LoggerFactory.getLogger(WireFormatConfig.class);

  private WireFormatConfig() {}

  /**
   * Applies the keys in {@code src} to {@link AvroSerde}.
   *
   * @throws IllegalArgumentException for an unknown format, or {@code registry} without a URL
   */
  public static void apply(ConfigSource src) {
    String format = src.string(FORMAT_KEY, "single-object").trim().toLowerCase(Locale.ROOT);
    String url = src.string(URL_KEY, "").trim();
    boolean write;
    switch (format) {
      case "single-object" -> write = false;
      case "registry" -> write = true;
      default ->
          throw new IllegalArgumentException(
              FORMAT_KEY + " must be single-object or registry, was '" + format + "'");
    }
    if (write && url.isEmpty()) {
      throw new IllegalArgumentException(
          FORMAT_KEY
              + "=registry needs "
              + URL_KEY
              + " (the registry's Confluent-compatible API, e.g. http://registry:8081)");
    }
    if (url.isEmpty()) {
      AvroSerde.useRegistry(null, false);
      return;
    }
    AvroSerde.useRegistry(SchemaRegistryClient.shared(url), write);
    log.info(
        "Avro wire format: {} (schema registry {})",
        write ? "Schema Registry framing" : "single-object" + " (reading framed payloads too)",
        url);
  }
}
