package io.streamrec.schemas;

import io.streamrec.schemas.registry.RegistryAvroDeserializer;
import io.streamrec.schemas.registry.RegistryAvroSerializer;
import io.streamrec.schemas.registry.RegistryWireFormat;
import io.streamrec.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for generated Avro records using Avro single-object encoding: {@code C3 01}, the
 * 8-byte CRC-64-AVRO fingerprint of the writer schema, then the binary datum. No schema registry is
 * needed.
 *
 * <p>Schema evolution: the decoder knows the current schema plus every earlier version of the
 * record found on the classpath at {@code streamrec/schema-history/<full.Name>.v<N>.avsc} (N = 1,
 * 2, ... until one is missing), so a reader decodes every earlier version it was built with. A
 * payload that is not single-object encoded, or whose fingerprint is unknown, fails with a {@link
 * SerializationException} naming the problem; deserialization never returns {@code null} for
 * non-null bytes.
 *
 * <p>Wire format: single-object encoding unless the process selected the Schema Registry wire
 * format ({@link #useRegistry}, from {@code schemas.wire.format=registry} and {@code
 * schemas.registry.url}; see {@code docs/registry.md}): then {@link #serializer()} and {@link
 * #encode(String, SpecificRecord)} write {@link RegistryWireFormat Confluent framing} (magic 0,
 * 4-byte schema id, datum) registered under {@code <topic>-value}. {@link #decode} reads both
 * formats whenever a registry is configured (the first byte tells them apart: {@code C3} or {@code
 * 00}), so a topic can move from one format to the other without a reader outage.
 *
 * <p>Thread-safe: Avro's encoder and decoder are safe for concurrent use.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  /** Where earlier versions of each schema live on the classpath. */
  public static final String HISTORY_PREFIX = "streamrec/schema-history/";

  private static final Map<Class<?>, AvroSerde<?>> CACHE = new ConcurrentHashMap<>();

  /**
   * The registry this process writes with and reads framed payloads from; {@code null}:
   * single-object only.
   */
  private static volatile Registry registry;

  /** The Schema Registry wire format in use: a client plus whether writers use it. */
  private record Registry(SchemaRegistryClient client, boolean write) {}

  static {
    AvroTrust.trustStreamRecPackages();
  }

  private final Class<T> type;
  private final Schema schema;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final List<Schema> history;

  private AvroSerde(Class<T> type) {
    this.type = type;
    this.schema = SpecificData.get().getSchema(type);
    // The generated class's own model carries its logical-type conversions (timestamp-millis <->
    // Instant).
    SpecificData model = SpecificData.getForClass(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    this.history = loadHistory(type.getClassLoader(), schema.getFullName());
    for (Schema old : history) {
      decoder.addSchema(old);
    }
  }

  /** The (shared, cached) serde for a generated record class. */
  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return (AvroSerde<T>) CACHE.computeIfAbsent(type, t -> new AvroSerde<>(type));
  }

  /** The writer schema of this serde (the newest version). */
  public Schema schema() {
    return schema;
  }

  /** Earlier versions this serde can still read, oldest first. */
  public List<Schema> history() {
    return List.copyOf(history);
  }

  /**
   * Selects the Schema Registry wire format for this process: with {@code write}, every {@link
   * #serializer()} and {@link #encode(String, SpecificRecord)} writes framed payloads registered in
   * {@code client}'s registry; either way {@link #decode} can read framed payloads. {@code null}
   * goes back to single-object encoding only.
   */
  public static void useRegistry(SchemaRegistryClient client, boolean write) {
    registry = client == null ? null : new Registry(client, write);
  }

  /** Whether this process writes the Schema Registry wire format. */
  public static boolean writesRegistryFormat() {
    Registry r = registry;
    return r != null && r.write();
  }

  /**
   * Encodes one record for {@code topic} in the process's wire format ({@link #useRegistry}):
   * single-object encoding by default, Confluent framing under subject {@code <topic>-value} when
   * the registry format is on.
   */
  public byte[] encode(String topic, T record) {
    Registry r = registry;
    if (r == null || !r.write()) {
      return encode(record);
    }
    return new RegistryAvroSerializer<T>(r.client()).serialize(topic, record);
  }

  /**
   * Encodes one record in single-object encoding; never returns {@code null} for a non-null record.
   */
  public byte[] encode(T record) {
    try {
      ByteBuffer buf = encoder.encode(record);
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one payload.
   *
   * @throws SerializationException when the bytes are not a single-object encoded record of a known
   *     schema
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new SerializationException("Cannot decode " + type.getSimpleName() + ": null payload");
    }
    if (RegistryWireFormat.isFramed(bytes)) {
      Registry r = registry;
      if (r == null) {
        throw new SerializationException(
            "Cannot decode "
                + type.getSimpleName()
                + ": Schema Registry framing"
                + " (schema id "
                + RegistryWireFormat.schemaId(bytes, "?")
                + ") but no registry is configured (set"
                + " schemas.registry.url)");
      }
      return registryReader(r).deserialize(null, bytes);
    }
    if (bytes.length < 10 || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
      throw new SerializationException(
          "Cannot decode "
              + type.getSimpleName()
              + ": not Avro single-object encoding (expected header C3 01, "
              + bytes.length
              + " bytes, starts with "
              + preview(bytes)
              + ")");
    }
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new SerializationException(
          "Cannot decode "
              + type.getSimpleName()
              + ": unknown schema fingerprint "
              + fingerprintHex(bytes),
          e);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot decode "
              + type.getSimpleName()
              + " with fingerprint "
              + fingerprintHex(bytes)
              + ": "
              + e,
          e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> data == null ? null : encode(topic, data);
  }

  private volatile RegistryAvroDeserializer<T> reader;
  private volatile SchemaRegistryClient readerClient;

  private RegistryAvroDeserializer<T> registryReader(Registry r) {
    RegistryAvroDeserializer<T> d = reader;
    if (d == null || readerClient != r.client()) {
      d = new RegistryAvroDeserializer<>(r.client(), type);
      readerClient = r.client();
      reader = d;
    }
    return d;
  }

  /** Null bytes (a tombstone) decode to {@code null}; any other failure throws. */
  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> data == null ? null : decode(data);
  }

  /** The writer-schema fingerprint of a payload as 16 hex digits (little-endian as on the wire). */
  public static String fingerprintHex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(16);
    for (int i = 2; i < Math.min(10, bytes.length); i++) {
      sb.append(String.format("%02x", bytes[i]));
    }
    return sb.toString();
  }

  /** CRC-64-AVRO fingerprint of a schema, as Avro puts it in single-object headers. */
  public static long fingerprint(Schema s) {
    return SchemaNormalization.parsingFingerprint64(s);
  }

  private static String preview(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, bytes.length); i++) {
      sb.append(String.format("%02x", bytes[i]));
    }
    return sb.length() == 0 ? "(empty)" : sb.toString();
  }

  private static List<Schema> loadHistory(ClassLoader loader, String fullName) {
    List<Schema> out = new ArrayList<>();
    for (int v = 1; ; v++) {
      String path = HISTORY_PREFIX + fullName + ".v" + v + ".avsc";
      try (InputStream in = loader.getResourceAsStream(path)) {
        if (in == null) {
          return out;
        }
        out.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read schema history " + path, e);
      }
    }
  }
}
