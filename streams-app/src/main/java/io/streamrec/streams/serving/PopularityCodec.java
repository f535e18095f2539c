package io.streamrec.streams.serving;

import java.nio.ByteBuffer;

/**
 * Encoding of one partition's popularity of one item, the value of {@value
 * ServingNames#PARTITION_POPULARITY_STORE}, of the {@code streamrec.serve.item-popularity.v1} topic
 * and of {@value ServingNames#ITEM_POPULARITY_STORE}: 16 bytes, big-endian: the log2 decayed count
 * {@code L} (IEEE-754 double, see {@link PopularityTracker}), then the partition's newest event
 * time when it was written (epoch ms, long). Topic and global-store keys are {@code
 * <partition>/<itemId>}.
 */
final class PopularityCodec {
  static final int BYTES = 16;

  /** Largest partition number accepted in a key (a bound on the per-item partition array). */
  static final int MAX_PARTITION = 4095;

  private PopularityCodec() {}

  static byte[] encode(final double log2Count, final long newestEventTimeMs) {
    return ByteBuffer.allocate(BYTES).putDouble(log2Count).putLong(newestEventTimeMs).array();
  }

  static boolean valid(final byte[] value) {
    return value != null
        && value.length == BYTES
        && Double.isFinite(ByteBuffer.wrap(value).getDouble(0));
  }

  static double log2Count(final byte[] value) {
    return ByteBuffer.wrap(value).getDouble(0);
  }

  static long newestEventTimeMs(final byte[] value) {
    return ByteBuffer.wrap(value).getLong(8);
  }

  static String key(final int partition, final String itemId) {
    return partition + "/" + itemId;
  }

  /** The partition of a key, or -1 when the key is not {@code <partition>/<itemId>}. */
  static int partitionOf(final String key) {
    final int slash = key == null ? -1 : key.indexOf('/');
    if (slash <= 0 || slash == key.length() - 1) {
      return -1;
    }
    try {
      final int p = Integer.parseInt(key, 0, slash, 10);
      return p <= MAX_PARTITION ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String itemOf(final String key) {
    return key.substring(key.indexOf('/') + 1);
  }
}
