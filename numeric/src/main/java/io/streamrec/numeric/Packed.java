package io.streamrec.numeric;

/**
 * A (score, id) candidate packed into one {@code long} so that a larger long is a better candidate.
 *
 * <p>Layout: {@code (sortable(score) << 32) | (~id & 0xffffffff)}. The high half is the float's
 * bits made monotone as a signed int ({@code b ^ ((b >> 31) & 0x7fffffff)}), so comparing two
 * packed longs compares scores first; on equal scores the complemented id makes the smaller id
 * compare greater, so ties break toward the smaller id and results are deterministic. Ids are
 * non-negative ints. Scores should be finite; {@code -0.0f} packs just below {@code 0.0f}.
 */
public final class Packed {
  private Packed() {}

  /** Packs (score, id). */
  public static long pack(final float score, final int id) {
    final int b = Float.floatToRawIntBits(score);
    final int sortable = b ^ ((b >> 31) & 0x7fffffff);
    return ((long) sortable << 32) | (~id & 0xffffffffL);
  }

  /** The id of a packed candidate. */
  public static int id(final long packed) {
    return ~(int) packed;
  }

  /** The score of a packed candidate. */
  public static float score(final long packed) {
    final int s = (int) (packed >>> 32);
    return Float.intBitsToFloat(s ^ ((s >> 31) & 0x7fffffff));
  }
}
