package io.streamrec.ops.offline;

import java.util.List;

/** Summaries over the per-seed result rows of {@code streamrec offline} (one column each). */
final class SeedMedians {
  private SeedMedians() {}

  /** The median of column {@code col} (the mean of the two middle values for an even count). */
  static double median(List<double[]> rows, int col) {
    double[] v = rows.stream().mapToDouble(x -> x[col]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static double min(List<double[]> rows, int col) {
    return rows.stream().mapToDouble(x -> x[col]).min().orElse(0);
  }

  static double max(List<double[]> rows, int col) {
    return rows.stream().mapToDouble(x -> x[col]).max().orElse(0);
  }
}
