package io.streamrec.schemas.registry;

import io.streamrec.schemas.AvroTrust;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in the Schema Registry wire format ({@link RegistryWireFormat}) into generated Avro
 * classes: the writer schema comes from the registry by the payload's id (cached), and Avro's
 * schema resolution maps it onto the reader class, so payloads of older and newer compatible schema
 * versions decode.
 *
 * <p>Usable from plain client config: {@code
 * value.deserializer=io.streamrec.schemas.registry.RegistryAvroDeserializer} with {@code
 * schema.registry.url}; the reader class is {@code streamrec.avro.type} (e.g. {@code
 * io.streamrec.avro.RatingEvent}) or, when that is unset, the generated class named like the writer
 * schema. Null bytes (a tombstone) decode to {@code null}; anything else that fails throws {@link
 * SerializationException}.
 */
public class RegistryAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  static {
    AvroTrust.trustStreamRecPackages();
  }

  private SchemaRegistryClient client;
  private Class<T> type;
  private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public RegistryAvroDeserializer() {}

  /** Configured in code: {@code type} records from {@code client}'s registry. */
  public RegistryAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
    this.client = client;
    this.type = type;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.client = SchemaRegistryClient.shared(RegistryWireFormat.url(configs));
    Object t = configs.get(RegistryWireFormat.TYPE_CONFIG);
    if (t instanceof Class<?> c) {
      this.type = (Class<T>) c;
    } else if (t != null && !t.toString().isBlank()) {
      try {
        this.type =
            (Class<T>)
                Class.forName(
                    t.toString().trim(),
                    true,
                    Thread.currentThread().getContextClassLoader() == null
                        ? getClass().getClassLoader()
                        : Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(
            RegistryWireFormat.TYPE_CONFIG + "=" + t + ": no such class", e);
      }
    }
    if (type != null && !SpecificRecord.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          RegistryWireFormat.TYPE_CONFIG
              + "="
              + type.getName()
              + " is not a generated Avro record class");
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException(
          "RegistryAvroDeserializer is not configured: set " + RegistryWireFormat.URL_CONFIG);
    }
    int id = RegistryWireFormat.schemaId(data, topic);
    SpecificDatumReader<T> reader = readers.computeIfAbsent(id, this::reader);
    try {
      BinaryDecoder dec =
          DecoderFactory.get()
              .binaryDecoder(
                  data,
                  RegistryWireFormat.HEADER_BYTES,
                  data.length - RegistryWireFormat.HEADER_BYTES,
                  null);
      T value = reader.read(null, dec);
      if (!dec.isEnd()) {
        throw new SerializationException(
            (data.length - RegistryWireFormat.HEADER_BYTES)
                + "-byte datum of schema id "
                + id
                + " has trailing bytes");
      }
      return value;
    } catch (IOException | RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException(
          "Cannot decode a record of schema id " + id + " from topic " + topic + ": " + e, e);
    }
  }

  @SuppressWarnings("unchecked")
  private SpecificDatumReader<T> reader(int id) {
    Schema writer = client.byId(id);
    Class<T> readerType = type;
    if (readerType == null) {
      Class<?> c = SpecificData.get().getClass(writer);
      if (c == null || !SpecificRecord.class.isAssignableFrom(c)) {
        throw new SerializationException(
            "Schema id "
                + id
                + " is "
                + writer.getFullName()
                + ", which has no generated class here; set "
                + RegistryWireFormat.TYPE_CONFIG);
      }
      readerType = (Class<T>) c;
    }
    SpecificData model = SpecificData.getForClass(readerType);
    return new SpecificDatumReader<>(writer, model.getSchema(readerType), model);
  }
}
