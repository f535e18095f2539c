package io.streamrec.streams.serving;

/**
 * Events of one user not yet reflected in an emitted list, packed in a {@code long} (the value of
 * {@value ServingNames#PENDING_LISTS_STORE}): interactions in the high 32 bits, user-embedding
 * updates in the low 32 bits. Both saturate at {@code Integer.MAX_VALUE}.
 */
final class PendingEvents {
  private PendingEvents() {}

  static long addInteraction(final long p) {
    return interactions(p) == Integer.MAX_VALUE ? p : p + (1L << 32);
  }

  static long addEmbeddingUpdate(final long p) {
    return updates(p) == Integer.MAX_VALUE ? p : p + 1;
  }

  static int interactions(final long p) {
    return (int) (p >>> 32);
  }

  static int updates(final long p) {
    return (int) p;
  }

  /** Interactions plus updates, saturating. */
  static int total(final long p) {
    return (int) Math.min(Integer.MAX_VALUE, (long) interactions(p) + updates(p));
  }
}
