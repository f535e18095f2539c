package io.streamrec.streams.serving;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.schemas.DeadLetterReason;
import java.util.List;

/**
 * Validation of embedding rows at the boundary: the scorer assumes finite vectors of one dimension
 * whose norm (and bias magnitude) is bounded, so that no dot product can overflow to infinity or
 * NaN and no single row can outscore every other by sheer magnitude.
 */
public final class EmbeddingRules {
  private EmbeddingRules() {}

  /**
   * Why {@code e} must not be scored, or {@code null} when it is fine. A vector whose length
   * differs from the row's declared {@code dimension}, or (for rows written before that field) from
   * {@code expectedDim}, is {@link DeadLetterReason#WRONG_DIMENSION}.
   *
   * @param expectedDim the stored index's dimension, or 0 when any (non-empty) dimension is
   *     acceptable
   * @throws ModelDimensionMismatchException when {@code e} is a well-formed row of a model whose
   *     declared dimension differs from {@code expectedDim}
   * @param maxNorm the largest acceptable L2 norm of the vector and absolute value of the bias
   */
  public static DeadLetterReason violation(
      final EmbeddingUpdate e, final int expectedDim, final double maxNorm) {
    final List<Float> v = e.getVector();
    if (v.isEmpty()) {
      return DeadLetterReason.EMPTY_VECTOR;
    }
    final int declared = e.getDimension();
    if (declared > 0 && v.size() != declared) {
      // the row disagrees with its own model: one bad record
      return DeadLetterReason.WRONG_DIMENSION;
    }
    if (expectedDim > 0 && v.size() != expectedDim) {
      if (declared > 0) {
        throw new ModelDimensionMismatchException(
            e.getId(), e.getModelVersion(), declared, expectedDim);
      }
      return DeadLetterReason.WRONG_DIMENSION;
    }
    final float bias = e.getBias();
    if (!Float.isFinite(bias)) {
      return DeadLetterReason.NON_FINITE_VECTOR;
    }
    // Summed in double: the squares of finite floats up to 3.4e38 cannot overflow a double.
    double sq = 0;
    for (int i = 0; i < v.size(); i++) {
      final float x = v.get(i);
      if (!Float.isFinite(x)) {
        return DeadLetterReason.NON_FINITE_VECTOR;
      }
      sq += (double) x * x;
    }
    if (Math.sqrt(sq) > maxNorm || Math.abs(bias) > maxNorm) {
      return DeadLetterReason.NORM_TOO_LARGE;
    }
    return null;
  }

  /** The vector as a fresh {@code float[]}. */
  public static float[] toArray(final EmbeddingUpdate e) {
    return toArray(e, new float[e.getVector().size()]);
  }

  /** The vector copied into {@code out} (which must be large enough); returns {@code out}. */
  public static float[] toArray(final EmbeddingUpdate e, final float[] out) {
    final List<Float> v = e.getVector();
    for (int i = 0; i < v.size(); i++) {
      out[i] = v.get(i);
    }
    return out;
  }
}
