package io.streamrec.streams.serving.bench;

import io.streamrec.streams.serving.ItemSearch;
import io.streamrec.streams.serving.SearchFixture;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Exact top-10 latency per user over the flat item index ({@code items x dim} Gaussian rows, 20
 * seen items excluded), and the memory-bandwidth reference: summing a float array as large as the
 * item matrix, which is the cost of streaming the matrix once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScoringBenchmark {
  @Param({"1682:16", "1000000:64"})
  public String shape;

  private SearchFixture index;
  private float[][] queries;
  private List<String> seen;
  private int[] matrixBits;
  private final ItemSearch.Scratch scratch = new ItemSearch.Scratch();
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    final String[] parts = shape.split(":");
    final int n = Integer.parseInt(parts[0]);
    final int dim = Integer.parseInt(parts[1]);
    final SplittableRandom rnd = new SplittableRandom(11);
    index = SearchFixture.exact(dim);
    matrixBits = new int[n * dim];
    final float[] v = new float[dim];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        v[d] = (float) rnd.nextGaussian();
        matrixBits[i * dim + d] = Float.floatToRawIntBits(v[d]);
      }
      index.upsert(Integer.toString(i), v, (float) rnd.nextGaussian() * 0.1f, 1);
    }
    queries = new float[64][dim];
    for (float[] q : queries) {
      for (int d = 0; d < dim; d++) {
        q[d] = (float) rnd.nextGaussian();
      }
    }
    final String[] s = new String[20];
    for (int i = 0; i < s.length; i++) {
      s[i] = Integer.toString(rnd.nextInt(n));
    }
    seen = List.of(s).stream().distinct().toList();
  }

  @TearDown
  public void tearDown() {
    index.close();
  }

  /** One user's exact top-10 (includes mapping rows to ids and building the result list). */
  @Benchmark
  public Object exactTop10() {
    final float[] q = queries[next++ & 63];
    return index.search(q, seen, 10, scratch);
  }

  /**
   * Streams the same number of bytes once (the matrix's float bits as ints; C2 vectorises an int
   * sum, so this is memory-bound, where a float sum would be bound by add latency): the bandwidth
   * floor for one exact query.
   */
  @Benchmark
  public int streamMatrixOnce() {
    final int[] a = matrixBits;
    int s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i];
    }
    return s;
  }
}
