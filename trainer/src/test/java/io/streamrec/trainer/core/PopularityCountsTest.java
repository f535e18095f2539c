package io.streamrec.trainer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PopularityCountsTest {
  private static final long DAY = 86_400_000L;

  @Test
  void shouldHalveTheCountEveryHalfLifeAndAddEventsInAnyOrder() {
    PopularityCounts c = new PopularityCounts(14 * DAY, DAY, 16);
    c.observe(0, 0);
    c.observe(0, 14 * DAY);
    assertThat(c.count(0, 14 * DAY)).isCloseTo(1.5, within(1e-9));
    assertThat(c.count(0, 28 * DAY)).isCloseTo(0.75, within(1e-9));
    // An event older than the clock counts with its own age.
    c.observe(1, 28 * DAY);
    c.observe(1, 14 * DAY);
    assertThat(c.count(1, 28 * DAY)).isCloseTo(1.5, within(1e-9));
    assertThat(c.feature(1, 28 * DAY)).isCloseTo((float) Math.log(2.5), within(1e-6f));
    assertThat(c.count(2, 28 * DAY)).isZero();
  }

  @Test
  void shouldStayFiniteOverDecadesOfEventTime() {
    PopularityCounts c = new PopularityCounts(DAY, DAY, 4);
    long t = 0;
    for (int i = 0; i < 20_000; i++) {
      t += DAY;
      c.observe(0, t);
    }
    // Geometric series 1 + 1/2 + 1/4 + ... = 2.
    assertThat(c.count(0, t)).isCloseTo(2.0, within(1e-6));
  }

  @Test
  void shouldReadAReplayedEventAsOfItsIntervalWithoutItsOwnOrLaterEvents() {
    PopularityCounts c = new PopularityCounts(14 * DAY, DAY, 16);
    c.observe(0, DAY / 2);
    c.observe(0, DAY + 5); // closes day 0: snapshot at 1 day holds the first event only
    c.observe(1, 3 * DAY + 7); // closes days 1-2: snapshot at 3 days holds both events of item 0
    assertThat(c.snapshots()).isEqualTo(2);
    int s = c.snapshotFor(DAY + 5);
    assertThat(c.snapshotTime(s)).isEqualTo(DAY);
    float decayed = (float) Math.log1p(Math.pow(2, -(DAY / 2.0) / (14.0 * DAY)));
    assertThat(c.snapshotRow(s)[0]).isCloseTo(decayed, within(1e-6f));
    assertThat(c.snapshotRow(c.snapshotFor(3 * DAY + 7))).hasSize(2);
    assertThat(c.snapshotRow(c.snapshotFor(3 * DAY + 7))[1]).isZero();
    assertThat(c.snapshotFor(0)).isZero();
  }

  @Test
  void shouldRestoreTheSameCountsAndSnapshots() {
    PopularityCounts c = new PopularityCounts(7 * DAY, DAY, 3);
    for (int i = 0; i < 10; i++) {
      c.observe(i % 3, i * DAY + 1);
    }
    PopularityCounts r = new PopularityCounts(7 * DAY, DAY, 3);
    r.restore(c.state());
    assertThat(r.snapshots()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(r.count(i, 20 * DAY)).isEqualTo(c.count(i, 20 * DAY));
      assertThat(r.snapshotRow(i)).containsExactly(c.snapshotRow(i));
    }
    assertThat(r.clock()).isEqualTo(c.clock());
  }
}
