package io.streamrec.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.ops.chaos.ChaosSystem.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class KillPlanTest {

  @Test
  void shouldDrawTheSamePlanWhenTheSeedIsTheSameWithEveryKillInItsOwnSlot() {
    List<KillPlan.Kill> a = KillPlan.draw(42, 10_000, 3, 2, 1);
    assertThat(KillPlan.draw(42, 10_000, 3, 2, 1)).isEqualTo(a);
    assertThat(KillPlan.draw(43, 10_000, 3, 2, 1)).isNotEqualTo(a);
    assertThat(a)
        .extracting(KillPlan.Kill::service)
        .filteredOn(s -> s == Service.STREAMS_APP)
        .hasSize(3);
    assertThat(a)
        .extracting(KillPlan.Kill::service)
        .filteredOn(s -> s == Service.TRAINER)
        .hasSize(2);
    assertThat(a)
        .extracting(KillPlan.Kill::service)
        .filteredOn(s -> s == Service.BROKER)
        .hasSize(1);
    double slot = 0.8 * 10_000 / 6;
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).index()).isEqualTo(i + 1);
      assertThat(a.get(i).atRating())
          .isBetween((long) (1_000 + slot * i), (long) (1_000 + slot * (i + 1)));
    }
  }

  @Test
  void shouldRejectAPlanWhenItCannotFit() {
    assertThatThrownBy(() -> KillPlan.draw(1, 20, 3, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KillPlan.draw(1, 1_000, -1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(KillPlan.draw(1, 0, 0, 0, 0)).isEmpty();
  }
}
