package io.streamrec.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MedianTest {
  @Test
  void shouldTakeTheMiddleValueWhenTheCountIsOdd() {
    double[] runs = {3, 1, 2};
    assertThat(Median.of(runs)).isEqualTo(2.0);
    assertThat(runs).containsExactly(3, 1, 2);
  }

  @Test
  void shouldAverageTheTwoMiddleValuesWhenTheCountIsEven() {
    assertThat(Median.of(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void shouldRejectNoValues() {
    assertThatThrownBy(() -> Median.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
