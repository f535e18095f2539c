package io.streamrec.schemas.registry;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Schema Registry wire format (Confluent's framing, which Karapace and Apicurio's compatibility
 * API share):
 *
 * <pre>
 *   byte    0x00        magic
 *   int32   schema id   big-endian, the registry's id of the writer schema
 *   bytes   datum       Avro binary encoding of the record with that schema
 * </pre>
 *
 * StreamRec's default stays Avro single-object encoding ({@code C3 01} + 8-byte fingerprint, no
 * registry); the two cannot be confused, because a single-object payload never starts with 0x00.
 */
public final class RegistryWireFormat {
  /** The registry's base URL, as Confluent's clients name it. */
  public static final String URL_CONFIG = "schema.registry.url";

  /** Reader class of {@link RegistryAvroDeserializer} (optional). */
  public static final String TYPE_CONFIG = "streamrec.avro.type";

  public static final byte MAGIC = 0;
  public static final int HEADER_BYTES = 5;

  private RegistryWireFormat() {}

  /** Confluent's TopicNameStrategy: {@code <topic>-value} or {@code <topic>-key}. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  /** Whether {@code bytes} start like this format (magic 0 and room for an id). */
  public static boolean isFramed(byte[] bytes) {
    return bytes != null && bytes.length >= HEADER_BYTES && bytes[0] == MAGIC;
  }

  /** The schema id of a framed payload. */
  public static int schemaId(byte[] bytes, String topic) {
    if (!isFramed(bytes)) {
      throw new SerializationException(
          "Not Schema Registry framing on topic "
              + topic
              + " (expected magic 0 and a"
              + " 4-byte schema id, "
              + bytes.length
              + " bytes"
              + (bytes.length > 0 ? String.format(", starts with %02x", bytes[0]) : "")
              + ")");
    }
    return ((bytes[1] & 0xff) << 24)
        | ((bytes[2] & 0xff) << 16)
        | ((bytes[3] & 0xff) << 8)
        | (bytes[4] & 0xff);
  }

  static void writeHeader(ByteArrayOutputStream out, int id) {
    out.write(MAGIC);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
  }

  static String url(Map<String, ?> configs) {
    Object url = configs.get(URL_CONFIG);
    if (url == null || url.toString().isBlank()) {
      throw new IllegalArgumentException(
          URL_CONFIG + " must be set for the Schema Registry wire format");
    }
    return url.toString();
  }
}
