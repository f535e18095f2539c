package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.streams.errors.DeadLetterPayload;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the raw value of a ratings record, applies {@link RatingValidator} and routes the record
 * to exactly one of its three children, by name (no split/map chain in between: each node costs
 * per-record work, most of them a copy of the record and its headers):
 *
 * <ul>
 *   <li>a valid record with a key (the key equals {@code userId}) goes, keyed by the user id, to
 *       {@link IngestTopology#MERGE_BY_USER} (which passes it on, as it is, to the min-count
 *       filter);
 *   <li>a valid record with a null key goes, keyed by the user id, to the {@code ratings-by-user}
 *       repartition ({@link IngestTopology#REPARTITION_ENTRY}), so that all of a user's events meet
 *       in one task;
 *   <li>anything else goes to {@link IngestTopology#SINK_DEAD_LETTERS} with the original key and
 *       value bytes (each cut to {@link DeadLetterPayload#MAX_BYTES}) and the original headers plus
 *       {@link DeadLetterHeaders} (reason, stage {@code ingest}, source topic, partition, offset,
 *       exception).
 * </ul>
 *
 * Never throws for bad input. The Processor API gives a processor one output type, so the children
 * of different types (user id and {@link RatingEvent}; raw bytes) are reached through one untyped
 * context; the three typed methods below are the only places that forward.
 */
final class DecodeValidateProcessor implements Processor<byte[], byte[], Object, Object> {
  static final String STAGE = "ingest";
  private static final Logger log = LoggerFactory.getLogger(DecodeValidateProcessor.class);

  private final RatingEventReader reader;
  private final RatingValidator validator;
  private final IngestMetrics metrics;
  private ProcessorContext<Object, Object> context;

  DecodeValidateProcessor(
      AvroSerde<RatingEvent> serde, RatingValidator validator, IngestMetrics metrics) {
    this.reader = new RatingEventReader(serde);
    this.validator = validator;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    metrics.record();
    RatingEvent event;
    try {
      event = reader.decode(record.value());
    } catch (SerializationException e) {
      toDeadLetters(record, DeadLetterReason.UNDECODABLE, e);
      return;
    }
    RejectedRatingException invalid =
        validator.check(record.key(), event, context.currentSystemTimeMs());
    if (invalid != null) {
      toDeadLetters(record, invalid.reason(), invalid);
    } else if (record.key() != null) {
      toFilter(new Record<>(event.getUserId(), event, record.timestamp(), record.headers()));
    } else {
      toRepartition(new Record<>(event.getUserId(), event, record.timestamp(), record.headers()));
    }
  }

  private void toFilter(Record<String, RatingEvent> byUser) {
    context.forward(byUser, IngestTopology.MERGE_BY_USER);
  }

  private void toRepartition(Record<String, RatingEvent> byUser) {
    context.forward(byUser, IngestTopology.REPARTITION_ENTRY);
  }

  private void toDeadLetters(
      Record<byte[], byte[]> record, DeadLetterReason reason, RuntimeException error) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    String topic = meta == null ? "" : meta.topic();
    int partition = meta == null ? -1 : meta.partition();
    long offset = meta == null ? -1L : meta.offset();
    // A record as large as the input topic allows would not fit as a dead letter: cut it
    // (DeadLetterPayload).
    Headers headers =
        DeadLetterPayload.headers(
            record.key(), record.value(), new RecordHeaders(record.headers().toArray()));
    DeadLetterHeaders.add(headers, reason.tag(), STAGE, topic, partition, offset, error);
    metrics.deadLetter(reason);
    log.warn(
        "Dead-lettering {}-{}@{} ({}): {}",
        topic,
        partition,
        offset,
        reason.tag(),
        error.getMessage());
    Record<byte[], byte[]> letter =
        new Record<>(
            DeadLetterPayload.cut(record.key()),
            DeadLetterPayload.cut(record.value()),
            record.timestamp(),
            headers);
    context.forward(letter, IngestTopology.SINK_DEAD_LETTERS);
  }
}
