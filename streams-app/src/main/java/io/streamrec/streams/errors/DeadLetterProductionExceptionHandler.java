package io.streamrec.streams.errors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ProductionExceptionHandler} that dead-letters records the producer or broker refuses for
 * their size, and fails on everything else.
 *
 * <p>For a {@link RecordTooLargeException} or {@link RecordBatchTooLargeException} it answers
 * {@link Response#resume(List)} with one dead letter for the configured topic ({@link
 * #DLQ_TOPIC_CONFIG}), which Kafka Streams sends through the task's own producer (KIP-1034, Kafka
 * 4.2+). The dead letter must itself fit, so it carries:
 *
 * <ul>
 *   <li>key and value: the refused record's bytes, each cut to at most {@link #MAX_BYTES_CONFIG}
 *       bytes (default {@value #DEFAULT_MAX_BYTES});
 *   <li>the refused record's headers, unless together they exceed the same bound (then they are
 *       dropped);
 *   <li>{@link DeadLetterHeaders} with reason {@code record-too-large}, the configured stage, the
 *       <em>source</em> topic, partition and offset of the input record being processed, and the
 *       exception;
 *   <li>{@value #TARGET_TOPIC} (where the record was going), {@value #ORIGINAL_KEY_BYTES} and
 *       {@value #ORIGINAL_VALUE_BYTES} (sizes before truncation).
 * </ul>
 *
 * Each such dead letter increments {@code streamrec.dlq.records{stage,reason=record-too-large}} in
 * the registry given as {@link #METER_REGISTRY_CONFIG} (a {@link MeterRegistry} object in the
 * Streams properties; Micrometer's global registry when absent) and logs one WARN line.
 *
 * <p>Every other exception answers {@link Response#fail()}: infrastructure faults and bugs are not
 * bad input.
 *
 * <p>Limitation under {@code exactly_once_v2} (tried on Kafka 4.3.1 with a 1.2 MB state changelog
 * record): the producer moves its open transaction to an abortable error on any failed send, so the
 * dead letter cannot be written in that transaction; the next send fails with "Cannot execute
 * transactional method because we are in an error state" and the stream thread dies. Under
 * at-least-once there is no transaction to poison, so the dead letter is sent and processing
 * continues (not tried here). So every stage must keep its records within the size limits where the
 * data enters (ingest bounds id lengths, see {@code RatingValidator}); this handler is the net that
 * records what slipped through, and the rule that nothing but a size refusal is ever skipped. A
 * send to the dead-letter topic whose key and value are already within {@link #MAX_BYTES_CONFIG}
 * was not refused for its own size (the producer is replaying an earlier error) and fails.
 */
public final class DeadLetterProductionExceptionHandler implements ProductionExceptionHandler {
  /** Streams property: the dead-letter topic (required). */
  public static final String DLQ_TOPIC_CONFIG = "streamrec.dlq.topic";

  /**
   * Streams property: the stage written to {@link DeadLetterHeaders#STAGE} and the metric tag
   * (required).
   */
  public static final String STAGE_CONFIG = "streamrec.dlq.stage";

  /** Streams property: a {@link MeterRegistry} instance for the counter (optional). */
  public static final String METER_REGISTRY_CONFIG = "streamrec.dlq.meter.registry";

  /** Streams property: the most key, value and header bytes kept each (optional). */
  public static final String MAX_BYTES_CONFIG = "streamrec.dlq.max.bytes";

  public static final int DEFAULT_MAX_BYTES = 16 * 1024;

  /** Header: the topic the refused record was sent to. */
  public static final String TARGET_TOPIC = DeadLetterHeaders.PREFIX + "target.topic";

  /** Header: the refused record's key size in bytes before truncation. */
  public static final String ORIGINAL_KEY_BYTES = DeadLetterHeaders.PREFIX + "original.key.bytes";

  /** Header: the refused record's value size in bytes before truncation. */
  public static final String ORIGINAL_VALUE_BYTES =
      DeadLetterHeaders.PREFIX + "original.value.bytes";

  private static final Logger log =
      LoggerFactory.getLogger(DeadLetterProductionExceptionHandler.class);

  private String dlqTopic;
  private String stage;
  private int maxBytes = DEFAULT_MAX_BYTES;
  private Counter deadLetters;

  /** Puts this handler and its settings into Kafka Streams properties. */
  public static void install(Properties props, String dlqTopic, String stage) {
    props.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProductionExceptionHandler.class.getName());
    props.put(DLQ_TOPIC_CONFIG, dlqTopic);
    props.put(STAGE_CONFIG, stage);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    dlqTopic = required(configs, DLQ_TOPIC_CONFIG);
    stage = required(configs, STAGE_CONFIG);
    Object max = configs.get(MAX_BYTES_CONFIG);
    if (max != null) {
      maxBytes = Integer.parseInt(max.toString().trim());
      if (maxBytes < 0) {
        throw new IllegalArgumentException(MAX_BYTES_CONFIG + " must be >= 0, was " + maxBytes);
      }
    }
    Object registry = configs.get(METER_REGISTRY_CONFIG);
    if (registry != null && !(registry instanceof MeterRegistry)) {
      throw new IllegalArgumentException(
          METER_REGISTRY_CONFIG + " must be a MeterRegistry, was " + registry.getClass().getName());
    }
    deadLetters =
        DeadLetterMeter.counter(
            registry == null ? Metrics.globalRegistry : (MeterRegistry) registry,
            stage,
            DeadLetterReason.RECORD_TOO_LARGE);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (!isSizeFailure(exception) || (dlqTopic.equals(record.topic()) && fits(record))) {
      return Response.fail();
    }
    ProducerRecord<byte[], byte[]> deadLetter = deadLetter(context, record, exception);
    deadLetters.increment();
    log.warn(
        "Dead-lettering a record too large for {} ({} key bytes, {} value bytes) produced while processing "
            + "{}-{}@{} ({}): {}",
        record.topic(),
        length(record.key()),
        length(record.value()),
        context.topic(),
        context.partition(),
        context.offset(),
        DeadLetterReason.RECORD_TOO_LARGE.tag(),
        exception.getMessage());
    return Response.resume(List.of(deadLetter));
  }

  /** Whether {@code e} is a refusal for size (and nothing else). */
  static boolean isSizeFailure(Exception e) {
    return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException;
  }

  /**
   * The dead letter for {@code record}: truncated key and value, bounded headers, the error
   * headers.
   */
  ProducerRecord<byte[], byte[]> deadLetter(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    Headers headers = new RecordHeaders();
    Header[] original = record.headers() == null ? new Header[0] : record.headers().toArray();
    if (headerBytes(original) <= maxBytes) {
      for (Header h : original) {
        headers.add(h);
      }
    }
    DeadLetterHeaders.add(
        headers,
        DeadLetterReason.RECORD_TOO_LARGE,
        stage,
        context.topic(),
        context.partition(),
        context.offset(),
        exception);
    put(headers, TARGET_TOPIC, record.topic());
    put(headers, ORIGINAL_KEY_BYTES, Integer.toString(length(record.key())));
    put(headers, ORIGINAL_VALUE_BYTES, Integer.toString(length(record.value())));
    return new ProducerRecord<>(
        dlqTopic,
        null,
        record.timestamp(),
        truncate(record.key()),
        truncate(record.value()),
        headers);
  }

  private boolean fits(ProducerRecord<byte[], byte[]> record) {
    return length(record.key()) <= maxBytes && length(record.value()) <= maxBytes;
  }

  private byte[] truncate(byte[] bytes) {
    return bytes == null || bytes.length <= maxBytes ? bytes : Arrays.copyOf(bytes, maxBytes);
  }

  private static long headerBytes(Header[] headers) {
    long n = 0;
    for (Header h : headers) {
      n += h.key().length() + length(h.value());
    }
    return n;
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String required(Map<String, ?> configs, String key) {
    Object v = configs.get(key);
    if (v == null || v.toString().isBlank()) {
      throw new IllegalArgumentException(
          key + " must be set for " + DeadLetterProductionExceptionHandler.class.getSimpleName());
    }
    return v.toString();
  }
}
