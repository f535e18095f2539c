package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.streams.errors.DeadLetterPayload;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the raw value of a ratings record and applies {@link RatingValidator}. Never throws for bad input: an
 * undecodable or invalid record comes out as a rejected {@link CheckedRating} whose headers already carry the
 * {@link DeadLetterHeaders} (reason, stage {@code ingest}, source topic, partition, offset, exception), on top of the
 * record's original headers; the caller routes it to the dead-letter topic with its key cut to
 * {@link DeadLetterPayload#MAX_BYTES}. A value (or headers) over that bound are cut here, see {@link DeadLetterPayload}.
 */
final class DecodeValidateProcessor implements FixedKeyProcessor<byte[], byte[], CheckedRating> {
    static final String STAGE = "ingest";
    private static final Logger log = LoggerFactory.getLogger(DecodeValidateProcessor.class);

    private final RatingEventReader reader;
    private final RatingValidator validator;
    private final IngestMetrics metrics;
    private FixedKeyProcessorContext<byte[], CheckedRating> context;

    DecodeValidateProcessor(AvroSerde<RatingEvent> serde, RatingValidator validator, IngestMetrics metrics) {
        this.reader = new RatingEventReader(serde);
        this.validator = validator;
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], CheckedRating> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        metrics.record();
        RatingEvent event;
        try {
            event = reader.decode(record.value());
        } catch (SerializationException e) {
            reject(record, DeadLetterReason.UNDECODABLE, e);
            return;
        }
        RejectedRatingException invalid = validator.check(record.key(), event, context.currentSystemTimeMs());
        if (invalid != null) {
            reject(record, invalid.reason(), invalid);
            return;
        }
        context.forward(record.withValue(CheckedRating.valid(event, record.key() != null)));
    }

    private void reject(FixedKeyRecord<byte[], byte[]> record, DeadLetterReason reason, RuntimeException error) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? "" : meta.topic();
        int partition = meta == null ? -1 : meta.partition();
        long offset = meta == null ? -1L : meta.offset();
        // A record as large as the input topic allows would not fit as a dead letter: cut it (DeadLetterPayload).
        Headers headers = DeadLetterPayload.headers(record.key(), record.value(),
                new RecordHeaders(record.headers().toArray()));
        DeadLetterHeaders.add(headers, reason.tag(), STAGE, topic, partition, offset, error);
        metrics.deadLetter(reason);
        log.warn("Dead-lettering {}-{}@{} ({}): {}", topic, partition, offset, reason.tag(), error.getMessage());
        RejectedRatingException why = error instanceof RejectedRatingException r
                ? r : new RejectedRatingException(reason, String.valueOf(error.getMessage()));
        context.forward(record.withValue(CheckedRating.rejected(DeadLetterPayload.cut(record.value()), why)).withHeaders(headers));
    }
}
