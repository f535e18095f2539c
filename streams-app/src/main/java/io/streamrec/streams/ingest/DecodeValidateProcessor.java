package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.streams.errors.DeadLetterPayload;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the raw value of a ratings record, applies {@link RatingValidator} and then, by name,
 * forwards to its children (no split/map/merge chain in between: each node costs per-record work,
 * most of them a copy of the record and its headers):
 *
 * <ul>
 *   <li>a valid record with a key (the key equals {@code userId}) is counted here, with {@link
 *       MinCountFilter} over {@link MinCountProcessor#STORE}, and its training examples (none while
 *       the user is held back, several when the user qualifies) go to {@link
 *       IngestTopology#SINK_EXAMPLES};
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
 * of different types (user id and {@link TrainingExample} or {@link RatingEvent}; raw bytes) are
 * reached through one untyped context; the three typed methods below are the only places that
 * forward.
 */
final class DecodeValidateProcessor implements Processor<byte[], byte[], Object, Object> {
  static final String STAGE = "ingest";
  private static final Logger log = LoggerFactory.getLogger(DecodeValidateProcessor.class);

  private final RatingEventReader reader;
  private final RatingValidator validator;
  private final IngestMetrics metrics;
  private final MinCountFilter filter;
  private final MinCountFilter.Emitter toExamples = this::toExamples;
  private ProcessorContext<Object, Object> context;

  DecodeValidateProcessor(
      AvroSerde<RatingEvent> serde,
      RatingValidator validator,
      MinCountFilter filter,
      IngestMetrics metrics) {
    this.reader = new RatingEventReader(serde);
    this.validator = validator;
    this.filter = filter;
    this.metrics = metrics;
  }

  /**
   * Supplies one processor per task (each with its own {@link MinCountFilter} of {@code min}) and
   * declares {@link MinCountProcessor#STORE} with {@code store}.
   */
  static ProcessorSupplier<byte[], byte[], Object, Object> supplier(
      AvroSerde<RatingEvent> serde,
      RatingValidator validator,
      int min,
      IngestMetrics metrics,
      StoreBuilder<KeyValueStore<String, UserState>> store) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<byte[], byte[], Object, Object> get() {
        return new DecodeValidateProcessor(
            serde, validator, new MinCountFilter(min, metrics), metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(store);
      }
    };
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    filter.init(context.getStateStore(MinCountProcessor.STORE));
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
      filter.apply(event.getUserId(), event, record.timestamp(), record.headers(), toExamples);
    } else {
      toRepartition(new Record<>(event.getUserId(), event, record.timestamp(), record.headers()));
    }
  }

  private void toExamples(Record<String, TrainingExample> example) {
    context.forward(example, IngestTopology.SINK_EXAMPLES);
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
