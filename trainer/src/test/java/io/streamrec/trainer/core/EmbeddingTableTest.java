package io.streamrec.trainer.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmbeddingTableTest {

  @Test
  void shouldGrowGeometricallyAndKeepRowsWhenNewIdsArrive() {
    EmbeddingTable t = new EmbeddingTable(8, 0.1f, 1, 16);
    t.ensureRow(0);
    float[] first = t.vector(0);
    int growths = 0;
    int cap = t.capacity();
    for (int r = 1; r < 100_000; r++) {
      t.ensureRow(r);
      if (t.capacity() != cap) {
        growths++;
        assertThat(t.capacity()).isGreaterThanOrEqualTo(2 * cap);
        cap = t.capacity();
      }
    }
    assertThat(t.rows()).isEqualTo(100_000);
    assertThat(growths).isLessThanOrEqualTo(14);
    assertThat(t.vector(0)).containsExactly(first);
    assertThat(t.vector(99_999)).isNotEqualTo(new float[8]);
  }

  @Test
  void shouldTouchOnlyTheGivenRowAndMarkItDirtyWhenLazyAdamSteps() {
    EmbeddingTable t = new EmbeddingTable(4, 0.1f, 1, 16);
    t.ensureRow(2);
    float[] before1 = t.vector(1);
    float[] before2 = t.vector(2);
    var adam = new LazyAdam(new LazyAdam.Settings(0.1f, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 0f));
    adam.update(t, 2, new float[] {1, -1, 1, -1}, 0, 1f, 1);
    assertThat(t.vector(1)).containsExactly(before1);
    float[] after2 = t.vector(2);
    // Adam's first step moves each coordinate by lr against the gradient's sign.
    assertThat(after2[0]).isLessThan(before2[0]);
    assertThat(after2[1]).isGreaterThan(before2[1]);
    assertThat(t.bias(2)).isLessThan(0f);
    assertThat(t.drainDirty()).containsExactly(2);
    assertThat(t.drainDirty()).isEmpty();
  }
}
