package io.streamrec.ops.bench;

import java.util.Arrays;

/** The median the benchmarks report over their measured runs. */
final class Median {
  private Median() {}

  /**
   * The median of {@code values} (the mean of the two middle values for an even count); the input
   * is not changed.
   */
  static double of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("median of no values");
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
