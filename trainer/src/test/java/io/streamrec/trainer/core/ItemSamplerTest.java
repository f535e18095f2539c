package io.streamrec.trainer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ItemSamplerTest {

  @Test
  void shouldDrawEveryKnownItemEquallyOftenWhenUniform() {
    ItemSampler s = new ItemSampler(ItemSampler.Kind.UNIFORM, 0.75);
    s.ensureItem(49);
    for (int i = 0; i < 30; i++) {
      s.observe(3); // counts must not bias a uniform sampler
    }
    int[] hist = draw(s, 200_000, 50);
    for (int h : hist) {
      assertThat(h / 200_000.0).isCloseTo(1 / 50.0, within(0.003));
    }
  }

  @Test
  void shouldFollowTheSmoothedCountsWhenTheyChange() {
    ItemSampler s = new ItemSampler(ItemSampler.Kind.POPULARITY, 0.75);
    int[] counts = {1, 10, 100, 0, 1000};
    for (int i = 0; i < counts.length; i++) {
      s.ensureItem(i);
      for (int c = 0; c < counts[i]; c++) {
        s.observe(i);
      }
    }
    assertMatches(s, counts);
    // Incremental updates (and growth past the initial capacity) keep the distribution exact.
    for (int c = 0; c < 500; c++) {
      s.observe(3);
    }
    s.observe(40);
    int[] grown = new int[41];
    System.arraycopy(counts, 0, grown, 0, counts.length);
    grown[3] = 500;
    grown[40] = 1;
    assertMatches(s, grown);
  }

  @Test
  void shouldKeepTheSameDistributionWhenRestored() {
    ItemSampler s = new ItemSampler(ItemSampler.Kind.POPULARITY, 0.75);
    for (int i = 0; i < 20; i++) {
      for (int c = 0; c <= i; c++) {
        s.observe(i);
      }
    }
    ItemSampler r = new ItemSampler(ItemSampler.Kind.POPULARITY, 0.75);
    r.restore(s.counts());
    for (int i = 0; i < 20; i++) {
      assertThat(r.probability(i)).isCloseTo(s.probability(i), within(1e-12));
    }
    assertThat(r.positives()).isEqualTo(s.positives());
  }

  private static void assertMatches(ItemSampler s, int[] counts) {
    double total = 0;
    for (int c : counts) {
      total += c == 0 ? 0 : Math.pow(c, 0.75);
    }
    int n = 300_000;
    int[] hist = draw(s, n, counts.length);
    for (int i = 0; i < counts.length; i++) {
      double expected = counts[i] == 0 ? 0 : Math.pow(counts[i], 0.75) / total;
      assertThat(s.probability(i)).isCloseTo(expected, within(1e-9));
      assertThat(hist[i] / (double) n).as("item %d", i).isCloseTo(expected, within(0.004));
    }
  }

  private static int[] draw(ItemSampler s, int n, int items) {
    SplittableRandom rnd = new SplittableRandom(7);
    int[] hist = new int[items];
    for (int i = 0; i < n; i++) {
      hist[s.sample(rnd)]++;
    }
    return hist;
  }
}
