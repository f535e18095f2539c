package io.streamrec.streams.serving;

import io.streamrec.avro.EmbeddingUpdate;
import java.util.List;

/** Validation of embedding rows at the boundary: the scorer assumes finite vectors of one dimension. */
public final class EmbeddingRules {
  /** Reason: the bytes are not a decodable {@code EmbeddingUpdate} (or request, or training example). */
  public static final String UNDECODABLE = "undecodable";
  /** Reason: the vector length differs from the configured or first-seen dimension. */
  public static final String WRONG_DIMENSION = "wrong-dimension";
  /** Reason: a NaN or infinite component or bias. */
  public static final String NON_FINITE = "non-finite";
  /** Reason: an empty vector. */
  public static final String EMPTY = "empty-vector";
  /** Reason: the record has no key. */
  public static final String MISSING_KEY = "missing-key";

  private EmbeddingRules() {}

  /**
   * Why {@code e} must not be scored, or {@code null} when it is fine.
   *
   * @param expectedDim the required dimension, or 0 when any (non-empty) dimension is acceptable
   */
  public static String violation(final EmbeddingUpdate e, final int expectedDim) {
    final List<Float> v = e.getVector();
    if (v.isEmpty()) {
      return EMPTY;
    }
    if (expectedDim > 0 && v.size() != expectedDim) {
      return WRONG_DIMENSION;
    }
    if (!Float.isFinite(e.getBias())) {
      return NON_FINITE;
    }
    for (int i = 0; i < v.size(); i++) {
      if (!Float.isFinite(v.get(i))) {
        return NON_FINITE;
      }
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
