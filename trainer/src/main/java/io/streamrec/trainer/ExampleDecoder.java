package io.streamrec.trainer;

import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Turns the trainer's raw input records into examples: decodes the Avro value and validates the
 * ids; a record that cannot be learned is dead-lettered ({@link DeadLetterWriter}) and comes back
 * as a {@link Pending} without an example, so its offset still passes through the merge in order.
 */
final class ExampleDecoder {
  private final AvroSerde<TrainingExample> serde = AvroSerde.of(TrainingExample.class);
  private final DeadLetterWriter deadLetters;

  ExampleDecoder(DeadLetterWriter deadLetters) {
    this.deadLetters = deadLetters;
  }

  /** The record as an example, or as a dead letter (undecodable bytes, an empty or blank id). */
  Pending decode(ConsumerRecord<byte[], byte[]> r) {
    TrainingExample ex;
    try {
      ex = serde.decode(r.value());
    } catch (SerializationException | IllegalArgumentException e) {
      return Pending.deadLetter(r.offset(), deadLetters.send(r, DeadLetterReason.UNDECODABLE, e));
    }
    DeadLetterReason invalid = validate(ex);
    if (invalid != null) {
      return Pending.deadLetter(
          r.offset(),
          deadLetters.send(
              r, invalid, new IllegalArgumentException(invalid.tag() + ": empty or blank id")));
    }
    return Pending.example(ex, r.offset());
  }

  /**
   * The record's example when it decodes and is valid, else null, with no dead letter (bootstrap
   * passes after the first re-read records that were dead-lettered on the first pass).
   */
  TrainingExample decodeQuietly(ConsumerRecord<byte[], byte[]> r) {
    TrainingExample ex;
    try {
      ex = serde.decode(r.value());
    } catch (SerializationException | IllegalArgumentException e) {
      return null;
    }
    return validate(ex) == null ? ex : null;
  }

  /** The dead-letter reason of a decoded example that cannot be learned, or null when it can. */
  static DeadLetterReason validate(TrainingExample ex) {
    if (ex.getUserId().isBlank()) {
      return DeadLetterReason.INVALID_USER_ID;
    }
    if (ex.getItemId().isBlank()) {
      return DeadLetterReason.INVALID_ITEM_ID;
    }
    return null;
  }
}
