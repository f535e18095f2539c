package io.streamrec.streams.serving;

import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decode node per source: forwards the typed {@link ServingInput} to the serve node, or the
 * original bytes with the standard dead-letter headers to the dead-letter sink (counted in {@code
 * streamrec.dlq.records}).
 */
final class DecodeProcessor implements Processor<String, byte[], String, Decoded> {
  private static final Logger log = LoggerFactory.getLogger(DecodeProcessor.class);

  /** The dead-letter sink's value serializer: the original bytes. */
  static final Serializer<Decoded.Rejected> REJECTED_SERIALIZER =
      (topic, r) -> r == null ? null : r.original();

  private final InputDecoders.Decoder decoder;
  private final ServingMetrics metrics;
  private ProcessorContext<String, Decoded> context;

  DecodeProcessor(final InputDecoders.Decoder decoder, final ServingMetrics metrics) {
    this.decoder = decoder;
    this.metrics = metrics;
  }

  /** A fresh processor with the same decoder (one per task). */
  DecodeProcessor copy() {
    return new DecodeProcessor(decoder, metrics);
  }

  @Override
  public void init(final ProcessorContext<String, Decoded> context) {
    this.context = context;
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    Decoded d;
    try {
      d = decoder.decode(record.key(), record.value());
    } catch (SerializationException e) {
      d = new Decoded.Rejected(record.value(), DeadLetterReason.UNDECODABLE, e);
    }
    if (d instanceof ServingInput in) {
      context.forward(record.withValue(in), ServingNames.SERVE);
    } else if (d instanceof Decoded.Rejected r) {
      deadLetter(record, r);
    }
  }

  private void deadLetter(final Record<String, byte[]> record, final Decoded.Rejected r) {
    final RecordMetadata m = context.recordMetadata().orElse(null);
    final String topic = m == null ? "" : m.topic();
    final int partition = m == null ? -1 : m.partition();
    final long offset = m == null ? -1 : m.offset();
    metrics.deadLetter(r.reason());
    log.warn(
        "Dead-lettering {}-{}@{} (key {}): {}",
        topic,
        partition,
        offset,
        abbreviate(record.key()),
        r.reason().tag());
    final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    DeadLetterHeaders.add(headers, r.reason(), "serving", topic, partition, offset, r.error());
    context.forward(
        new Record<String, Decoded>(record.key(), r, record.timestamp(), headers),
        ServingNames.SINK_DEAD_LETTERS);
  }

  private static String abbreviate(final String key) {
    return key == null || key.length() <= 64
        ? key
        : key.substring(0, 64) + "...(" + key.length() + " chars)";
  }
}
