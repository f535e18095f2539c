package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListBudgetTest {

  @Test
  void shouldAllowABurstOfATenthThenRefillAtTheRate() {
    ListBudget b = new ListBudget(100, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(b.take(0)).as("token %d of the burst", i).isTrue();
    }
    assertThat(b.take(0)).isFalse();
    assertThat(b.take(5)).isFalse(); // half a token
    assertThat(b.take(10)).isTrue(); // 10 ms at 100/s = one token
    assertThat(b.take(10)).isFalse();
    assertThat(b.take(10_000)).isTrue(); // refilled, but only up to the burst
    int n = 1;
    while (b.take(10_000)) {
      n++;
    }
    assertThat(n).isEqualTo(10);
  }

  @Test
  void shouldKeepABurstOfAtLeastOneAndRejectAZeroRate() {
    ListBudget b = new ListBudget(1, 0);
    assertThat(b.take(0)).isTrue();
    assertThat(b.take(999)).isFalse();
    assertThat(b.take(1_000)).isTrue();
    assertThatThrownBy(() -> new ListBudget(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldIgnoreAClockThatGoesBack() {
    ListBudget b = new ListBudget(10, 1_000);
    assertThat(b.take(1_000)).isTrue();
    assertThat(b.take(500)).isFalse();
    assertThat(b.take(1_100)).isTrue();
  }
}
