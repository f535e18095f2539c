package io.streamrec.schemas.registry;

import io.streamrec.schemas.AvroTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes generated Avro records in the Schema Registry wire format ({@link RegistryWireFormat}):
 * magic byte 0, the writer schema's 4-byte big-endian registry id, then the Avro binary datum. The
 * schema is registered under the subject {@code <topic>-value} (or {@code -key}; Confluent's
 * TopicNameStrategy) on first use and its id cached.
 *
 * <p>Usable from plain client config: {@code
 * value.serializer=io.streamrec.schemas.registry.RegistryAvroSerializer} with {@code
 * schema.registry.url=http://host:8081} (Apicurio: {@code http://host:8080/apis/ccompat/v7}).
 */
public class RegistryAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  static {
    AvroTrust.trustStreamRecPackages();
  }

  private SchemaRegistryClient client;
  private boolean isKey;

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public RegistryAvroSerializer() {}

  /** Configured in code: values on {@code client}'s registry. */
  public RegistryAvroSerializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.client = SchemaRegistryClient.shared(RegistryWireFormat.url(configs));
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException(
          "RegistryAvroSerializer is not configured: set " + RegistryWireFormat.URL_CONFIG);
    }
    Schema schema = data.getSchema();
    int id = client.register(RegistryWireFormat.subject(topic, isKey), schema);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      RegistryWireFormat.writeHeader(out, id);
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      // the class's own model carries its logical-type conversions (timestamp-millis <-> Instant)
      new SpecificDatumWriter<T>(schema, SpecificData.getForClass(data.getClass()))
          .write(data, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot encode " + schema.getFullName() + " for topic " + topic + ": " + e, e);
    }
  }
}
