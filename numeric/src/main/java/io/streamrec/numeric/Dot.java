package io.streamrec.numeric;

/** Dot products over flat float arrays. */
public final class Dot {
  private Dot() {}

  /**
   * {@code a[aOff..aOff+dim) . b[bOff..bOff+dim)}, with four independent accumulators and a scalar
   * tail.
   */
  public static float dot(
      final float[] a, final int aOff, final float[] b, final int bOff, final int dim) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = 0;
    final int upper = dim & ~3;
    for (; i < upper; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < dim; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
