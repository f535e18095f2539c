package io.streamrec.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.deadletter.DeadLetterProducer;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the trainer's dead letters: the original key and value bytes with {@link
 * DeadLetterHeaders} (stage {@code trainer}) and a {@link DeadLetterReason}, through the shared
 * {@link DeadLetterProducer}. Each write returns a {@link Pending.Ack} that the producer's callback
 * completes; the record's offset counts as done only once it did (see {@link EventTimeMerge}).
 */
final class DeadLetterWriter {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);
  static final String STAGE = "trainer";

  private final DeadLetterProducer producer;
  private final TrainerMetrics metrics;

  DeadLetterWriter(
      Producer<byte[], byte[]> producer,
      String topic,
      TrainerMetrics metrics,
      MeterRegistry registry) {
    this.producer = new DeadLetterProducer(producer, topic, STAGE, registry);
    this.metrics = metrics;
  }

  /**
   * Sends {@code r} to the dead-letter topic; the returned acknowledgement completes in the
   * producer's callback.
   */
  Pending.Ack send(ConsumerRecord<byte[], byte[]> r, DeadLetterReason reason, Exception error) {
    metrics.deadLetter(reason);
    log.warn(
        "Dead-lettering {}-{}@{} ({}): {}",
        r.topic(),
        r.partition(),
        r.offset(),
        reason.tag(),
        error.toString());
    Pending.Ack ack = new Pending.Ack();
    producer.send(
        r.topic(), r.partition(), r.offset(), r.key(), r.value(), reason, error, ack::complete);
    return ack;
  }
}
