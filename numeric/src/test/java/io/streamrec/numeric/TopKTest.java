package io.streamrec.numeric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TopKTest {

  @Test
  void shouldOrderPackedCandidatesByScoreThenSmallerId() {
    float[] scores = {-3.5f, -0.0f, 0.0f, 1e-30f, 2.25f, Float.MAX_VALUE, -Float.MAX_VALUE};
    for (float a : scores) {
      for (float b : scores) {
        if (Float.compare(a, b) != 0) {
          assertThat(Long.compare(Packed.pack(a, 7), Packed.pack(b, 7)))
              .as("%s vs %s", a, b)
              .isEqualTo(Float.compare(a, b));
        }
      }
      assertThat(Packed.score(Packed.pack(a, 3))).isEqualTo(a);
      assertThat(Packed.id(Packed.pack(a, 3))).isEqualTo(3);
    }
    assertThat(Packed.pack(1f, 2)).isGreaterThan(Packed.pack(1f, 3));
    assertThat(Packed.id(Packed.pack(1f, Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void shouldComputeDotProductWithinTolerance() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int dim : new int[] {1, 3, 4, 7, 16, 64, 65}) {
      float[] a = new float[dim + 5];
      float[] b = new float[dim * 3];
      double ref = 0;
      for (int i = 0; i < dim; i++) {
        a[5 + i] = (float) rnd.nextGaussian();
        b[dim + i] = (float) rnd.nextGaussian();
        ref += (double) a[5 + i] * b[dim + i];
      }
      assertThat((double) Dot.dot(a, 5, b, dim, dim)).isCloseTo(ref, within(1e-4 * dim));
    }
  }

  @Test
  void shouldMatchBruteForceWithTiesBiasAndExclusions() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int trial = 0; trial < 300; trial++) {
      int dim = 1 + rnd.nextInt(20);
      int n = rnd.nextInt(300);
      boolean ties = trial % 2 == 0;
      float[] items = new float[n * dim];
      float[] bias = trial % 3 == 0 ? null : new float[n];
      for (int i = 0; i < n * dim; i++) {
        items[i] = ties ? rnd.nextInt(3) - 1 : (float) rnd.nextGaussian();
      }
      for (int i = 0; bias != null && i < n; i++) {
        bias[i] = ties ? rnd.nextInt(2) : (float) rnd.nextGaussian() * 0.1f;
      }
      float[] q = new float[dim];
      for (int d = 0; d < dim; d++) {
        q[d] = ties ? rnd.nextInt(3) - 1 : (float) rnd.nextGaussian();
      }
      TreeSet<Integer> excluded = new TreeSet<>();
      for (int e = rnd.nextInt(n / 2 + 1); e > 0; e--) {
        excluded.add(rnd.nextInt(n));
      }
      int k =
          switch (trial % 5) {
            case 0 -> 0;
            case 1 -> n + 5;
            default -> 1 + rnd.nextInt(15);
          };
      long[] got =
          TopK.topK(
              q, items, bias, n, dim, k, excluded.stream().mapToInt(Integer::intValue).toArray());

      List<Integer> ref = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!excluded.contains(i)) {
          ref.add(i);
        }
      }
      Comparator<Integer> byScore = Comparator.comparingDouble(r -> -score(q, items, bias, dim, r));
      ref.sort(byScore.thenComparingInt(r -> r));
      int[] expected = ref.stream().limit(Math.max(0, k)).mapToInt(Integer::intValue).toArray();
      assertThat(Arrays.stream(got).mapToInt(Packed::id).toArray())
          .as("trial %d n=%d k=%d", trial, n, k)
          .containsExactly(expected);
      for (long p : got) {
        assertThat(Packed.score(p)).isEqualTo(score(q, items, bias, dim, Packed.id(p)));
      }
    }
  }

  @Test
  void shouldKeepTheLargestInABoundedHeap() {
    long[] heap = new long[3];
    int size = 0;
    for (long v : new long[] {5, 1, 9, 7, 3, 9, 2}) {
      size = LongHeap.offer(heap, size, 3, v);
    }
    LongHeap.sortDescending(heap, size);
    assertThat(heap).containsExactly(9, 9, 7);
    assertThat(LongHeap.offer(heap, 0, 0, 4)).isZero();
  }

  private static float score(float[] q, float[] items, float[] bias, int dim, int row) {
    return Dot.dot(q, 0, items, row * dim, dim) + (bias == null ? 0f : bias[row]);
  }
}
