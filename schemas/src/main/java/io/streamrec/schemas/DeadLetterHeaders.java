package io.streamrec.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Header names carried by every dead letter (the Kafka Connect error-header set, under {@code
 * streamrec.error.}). The record value and key are the original bytes, untouched.
 */
public final class DeadLetterHeaders {
  public static final String PREFIX = "streamrec.error.";

  /** Short machine-readable reason, e.g. {@code undecodable}, {@code rating-out-of-range}. */
  public static final String REASON = PREFIX + "reason";

  public static final String TOPIC = PREFIX + "topic";
  public static final String PARTITION = PREFIX + "partition";
  public static final String OFFSET = PREFIX + "offset";

  /** Which component rejected the record ({@code ingest}, {@code serving}, {@code trainer}). */
  public static final String STAGE = PREFIX + "stage";

  public static final String EXCEPTION_CLASS = PREFIX + "exception.class";
  public static final String EXCEPTION_MESSAGE = PREFIX + "exception.message";

  private DeadLetterHeaders() {}

  /** Adds the standard headers to {@code headers} (values as UTF-8 text). */
  public static Headers add(
      Headers headers,
      DeadLetterReason reason,
      String stage,
      String topic,
      int partition,
      long offset,
      Throwable error) {
    return add(headers, reason.tag(), stage, topic, partition, offset, error);
  }

  /**
   * Adds the standard headers to {@code headers} (values as UTF-8 text); {@code reason} is a {@link
   * DeadLetterReason#tag()}.
   */
  public static Headers add(
      Headers headers,
      String reason,
      String stage,
      String topic,
      int partition,
      long offset,
      Throwable error) {
    put(headers, REASON, reason);
    put(headers, STAGE, stage);
    put(headers, TOPIC, topic);
    put(headers, PARTITION, Integer.toString(partition));
    put(headers, OFFSET, Long.toString(offset));
    if (error != null) {
      put(headers, EXCEPTION_CLASS, error.getClass().getName());
      put(headers, EXCEPTION_MESSAGE, String.valueOf(error.getMessage()));
    }
    return headers;
  }

  /** Reads a header as text, or {@code null} when absent. */
  public static String get(Headers headers, String name) {
    var h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
  }
}
