package io.streamrec.streams.errors;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Keeps a dead letter small enough to be written. A rejected input record can be as large as the
 * broker accepts on the input topic (about 1 MB by default); its copy plus the dead-letter headers
 * would exceed the producer's {@code max.request.size}, and under {@code exactly_once_v2} one
 * refused send kills the stream thread, so every restart would die on the same record again.
 *
 * <p>Layout of a cut dead letter: key and value are the first {@link #MAX_BYTES} bytes of the
 * original ones; the original headers are kept only if their names and values together fit in
 * {@link #MAX_BYTES}; and the headers {@link
 * DeadLetterProductionExceptionHandler#ORIGINAL_KEY_BYTES} and {@link
 * DeadLetterProductionExceptionHandler#ORIGINAL_VALUE_BYTES} (decimal UTF-8) give the sizes before
 * the cut. A dead letter within the bound is left exactly as it was.
 */
public final class DeadLetterPayload {
  /** The most key, value and original-header bytes a dead letter keeps, each. */
  public static final int MAX_BYTES = DeadLetterProductionExceptionHandler.DEFAULT_MAX_BYTES;

  private DeadLetterPayload() {}

  /** Whether {@code key}, {@code value} and {@code headers} all fit without a cut. */
  public static boolean fits(byte[] key, byte[] value, Headers headers) {
    return length(key) <= MAX_BYTES
        && length(value) <= MAX_BYTES
        && headerBytes(headers) <= MAX_BYTES;
  }

  /** {@code bytes}, or its first {@link #MAX_BYTES} bytes. */
  public static byte[] cut(byte[] bytes) {
    return bytes == null || bytes.length <= MAX_BYTES ? bytes : Arrays.copyOf(bytes, MAX_BYTES);
  }

  /**
   * The headers a dead letter of {@code key}/{@code value} may carry: {@code original} when
   * everything fits; otherwise {@code original} (or nothing, when the headers alone are too large)
   * plus the two size headers.
   */
  public static Headers headers(byte[] key, byte[] value, Headers original) {
    if (fits(key, value, original)) {
      return original;
    }
    Headers out = headerBytes(original) <= MAX_BYTES ? original : new RecordHeaders();
    put(
        out,
        DeadLetterProductionExceptionHandler.ORIGINAL_KEY_BYTES,
        Integer.toString(length(key)));
    put(
        out,
        DeadLetterProductionExceptionHandler.ORIGINAL_VALUE_BYTES,
        Integer.toString(length(value)));
    return out;
  }

  static long headerBytes(Headers headers) {
    long n = 0;
    if (headers != null) {
      for (Header h : headers) {
        n += h.key().length() + length(h.value());
      }
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
}
