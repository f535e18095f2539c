package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.ScoredItem;
import io.streamrec.numeric.Dot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class ItemSearchTest {

  @Test
  void shouldMatchBruteForceOnRandomDataWithTiesAndExclusions() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int trial = 0; trial < 200; trial++) {
      int dim = 1 + rnd.nextInt(20);
      int n = rnd.nextInt(300);
      boolean ties = trial % 2 == 0;
      SearchFixture index = SearchFixture.exact(dim);
      float[][] vec = new float[n][dim];
      float[] bias = new float[n];
      for (int i = 0; i < n; i++) {
        for (int d = 0; d < dim; d++) {
          vec[i][d] = ties ? rnd.nextInt(3) - 1 : (float) rnd.nextGaussian();
        }
        bias[i] = ties ? rnd.nextInt(2) : (float) rnd.nextGaussian() * 0.1f;
        index.upsert("i" + i, vec[i], bias[i], i);
      }
      float[] q = new float[dim];
      for (int d = 0; d < dim; d++) {
        q[d] = ties ? rnd.nextInt(3) - 1 : (float) rnd.nextGaussian();
      }
      Set<String> excluded = new HashSet<>();
      for (int e = rnd.nextInt(Math.max(1, n / 2 + 1)); e > 0; e--) {
        excluded.add("i" + rnd.nextInt(Math.max(1, n)));
      }
      excluded.add("unknown-item");
      int k =
          switch (trial % 5) {
            case 0 -> 0;
            case 1 -> n + 5;
            default -> 1 + rnd.nextInt(15);
          };
      List<ScoredItem> got = index.search(q, excluded, k, new ItemSearch.Scratch()).items();

      List<int[]> ref = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!excluded.contains("i" + i)) {
          ref.add(new int[] {i});
        }
      }
      float[] flat = new float[n * dim];
      for (int i = 0; i < n; i++) {
        System.arraycopy(vec[i], 0, flat, i * dim, dim);
      }
      Comparator<int[]> byScore =
          Comparator.comparingDouble(
              (int[] r) -> -(Dot.dot(q, 0, flat, r[0] * dim, dim) + bias[r[0]]));
      ref.sort(byScore.thenComparingInt(r -> r[0]));
      List<String> expected = ref.stream().limit(Math.max(0, k)).map(r -> "i" + r[0]).toList();
      assertThat(got)
          .extracting(ScoredItem::getItemId)
          .as("trial %d n=%d k=%d", trial, n, k)
          .containsExactlyElementsOf(expected);
      for (ScoredItem s : got) {
        int row = Integer.parseInt(s.getItemId().substring(1));
        assertThat(s.getScore()).isEqualTo(Dot.dot(q, 0, flat, row * dim, dim) + bias[row]);
      }
    }
  }

  @Test
  void shouldBreakTiesTowardTheEarlierItem() {
    SearchFixture index = SearchFixture.exact(2);
    for (int i = 0; i < 10; i++) {
      index.upsert("x" + i, new float[] {1, 1}, 0f, 1);
    }
    List<ScoredItem> got =
        index.search(new float[] {1, 0}, Set.of("x1"), 3, new ItemSearch.Scratch()).items();
    assertThat(got).extracting(ScoredItem::getItemId).containsExactly("x0", "x2", "x3");
  }

  @Test
  void shouldReplaceDeleteAndGrowRows() {
    SearchFixture index = SearchFixture.exact(0);
    index.upsert("a", new float[] {1, 0}, 0f, 1);
    index.upsert("b", new float[] {0, 1}, 0f, 2);
    assertThat(index.dimension()).isEqualTo(2);
    index.upsert("a", new float[] {0, 0}, -1f, 5);
    SearchFixture.Hits hits =
        index.search(new float[] {1, 1}, List.of(), 5, new ItemSearch.Scratch());
    assertThat(hits.items()).extracting(ScoredItem::getItemId).containsExactly("b", "a");
    assertThat(hits.maxItemVersion()).isEqualTo(5);
    index.delete("b");
    assertThat(index.search(new float[] {1, 1}, List.of(), 5, new ItemSearch.Scratch()).items())
        .extracting(ScoredItem::getItemId)
        .containsExactly("a");
    index.upsert("b", new float[] {0, 1}, 0f, 6);
    assertThat(index.liveItems()).isEqualTo(2);
    for (int i = 0; i < 1000; i++) {
      index.upsert("g" + i, new float[] {i, 0}, 0f, 7);
    }
    assertThat(index.search(new float[] {1, 0}, List.of(), 1, new ItemSearch.Scratch()).items())
        .extracting(ScoredItem::getItemId)
        .containsExactly("g999");
    assertThat(index.search(new float[] {1, 0, 0}, List.of(), 1, new ItemSearch.Scratch()).items())
        .isEmpty();
  }

  @Test
  void shouldSwitchToHnswInTheBackgroundAboveThreshold() {
    SplittableRandom rnd = new SplittableRandom(9);
    try (SearchFixture index = new SearchFixture(4, 500, AnnParams.DEFAULT)) {
      for (int i = 0; i < 499; i++) {
        index.upsert("i" + i, new float[] {(float) rnd.nextGaussian(), 1, 0, 0}, 0f, 1);
      }
      assertThat(index.approximate()).isFalse();
      index.upsert("i499", new float[] {5, 5, 5, 5}, 0f, 1);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(index::approximate);
      assertThat(
              index
                  .search(new float[] {1, 1, 1, 1}, List.of(), 1, new ItemSearch.Scratch())
                  .items())
          .extracting(ScoredItem::getItemId)
          .containsExactly("i499");
    }
  }

  @Test
  void shouldReachHighRecallWithHnsw() {
    int n = 4000;
    int dim = 16;
    SplittableRandom rnd = new SplittableRandom(7);
    SearchFixture index = new SearchFixture(dim, Integer.MAX_VALUE, AnnParams.DEFAULT);
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      for (int d = 0; d < dim; d++) {
        v[d] = (float) rnd.nextGaussian();
      }
      index.upsert("i" + i, v, (float) rnd.nextGaussian() * 0.1f, 1);
    }
    assertThat(index.buildAnnNow()).isTrue();
    assertThat(index.approximate()).isTrue();
    for (int i = 0; i < 100; i++) {
      index.upsert("late" + i, new float[dim], 100f + i, 2);
    }
    int hit = 0;
    int total = 0;
    ItemSearch.Scratch scratch = new ItemSearch.Scratch();
    for (int qi = 0; qi < 50; qi++) {
      float[] q = new float[dim];
      for (int d = 0; d < dim; d++) {
        q[d] = (float) rnd.nextGaussian();
      }
      Set<String> seen = Set.of("i" + qi, "late99");
      List<String> exact =
          index.searchExact(q, seen, 10, scratch).items().stream()
              .map(ScoredItem::getItemId)
              .toList();
      List<String> approx =
          index.search(q, seen, 10, scratch).items().stream().map(ScoredItem::getItemId).toList();
      assertThat(approx).doesNotContainAnyElementsOf(seen).hasSize(10);
      // Rows added after the graph was built are scanned exactly, so they are always found.
      assertThat(approx).startsWith("late98", "late97");
      Set<String> inter = new HashSet<>(exact);
      inter.retainAll(approx);
      hit += inter.size();
      total += exact.size();
    }
    assertThat((double) hit / total).isGreaterThan(0.95);
    index.close();
  }
}
