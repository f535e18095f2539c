package io.streamrec.schemas;

/**
 * The popularity part of an item's score, as the trainer learns it and serving applies it: {@code
 * kappa * alpha * log(1 + c(t))}, where {@code c(t) = count * 2^(-(t - countTime) / halfLife)} is
 * the item's exponentially decayed interaction count read at time {@code t} from the value {@code
 * count} it had at {@code countTime} (the fields {@code popularityCount}, {@code popularityTime},
 * {@code popularityWeight} and {@code popularityHalfLifeMs} of {@code EmbeddingUpdate}). {@code t}
 * before {@code countTime} reads the count undecayed. One function, so that the trainer's offline
 * scores and serving's scores agree to the bit.
 */
public final class PopularityTerm {
  private PopularityTerm() {}

  /** {@code c(t)}: the decayed count at {@code timeMillis}. */
  public static double countAt(
      double count, long countTimeMillis, long halfLifeMillis, long timeMillis) {
    if (count <= 0 || halfLifeMillis <= 0) {
      return 0;
    }
    long dt = timeMillis <= countTimeMillis ? 0 : timeMillis - countTimeMillis;
    return count * Math.exp(-Math.log(2) * dt / halfLifeMillis);
  }

  /** {@code kappa * alpha * log(1 + c(t))} as a float (0 when there is no count or weight). */
  public static float value(
      float kappa,
      float alpha,
      double count,
      long countTimeMillis,
      long halfLifeMillis,
      long timeMillis) {
    if (alpha == 0f || kappa == 0f) {
      return 0f;
    }
    return (float)
        (kappa * alpha * Math.log1p(countAt(count, countTimeMillis, halfLifeMillis, timeMillis)));
  }
}
