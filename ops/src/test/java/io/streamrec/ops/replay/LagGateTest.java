package io.streamrec.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LagGateTest {

  @Test
  void shouldHoldTheReplayBackWhenTheLagIsAboveTheBound() throws Exception {
    AtomicLong lag = new AtomicLong(500);
    AtomicLong acked = new AtomicLong(500);
    try (LagGate gate =
        new LagGate(lag::get, acked::get, 100, Duration.ofMillis(5), Duration.ofSeconds(20))) {
      CompletableFuture<Void> send =
          CompletableFuture.runAsync(
              () -> {
                try {
                  gate.awaitCapacity(500);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(200);
      assertThat(send).as("held back while 500 records behind a bound of 100").isNotDone();
      lag.set(50);
      send.get(5, TimeUnit.SECONDS);
      assertThat(gate.stats().heldSeconds()).isGreaterThanOrEqualTo(0.15);
      assertThat(gate.stats().maxLag()).isEqualTo(500);
    }
  }

  @Test
  void shouldCountRecordsAsLagWhenSentAfterTheMeasurement() throws Exception {
    AtomicLong acked = new AtomicLong(1_000);
    try (LagGate gate =
        new LagGate(() -> 0, acked::get, 100, Duration.ofMillis(5), Duration.ofSeconds(20))) {
      gate.awaitCapacity(1_099);
      CompletableFuture<Void> send =
          CompletableFuture.runAsync(
              () -> {
                try {
                  gate.awaitCapacity(1_100);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(200);
      assertThat(send)
          .as("a 101st record not yet acknowledged exceeds the bound of 100")
          .isNotDone();
      acked.set(1_001);
      send.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldFailClearlyWhenTheLagNeverGoesDown() {
    try (LagGate gate =
        new LagGate(() -> 1_000, () -> 0, 10, Duration.ofMillis(5), Duration.ofMillis(300))) {
      assertThatThrownBy(() -> gate.awaitCapacity(0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stayed above 10 records");
    }
  }

  @Test
  void shouldFailClearlyWhenTheLagCannotBeMeasured() {
    try (LagGate gate =
        new LagGate(
            () -> {
              throw new IllegalStateException("no broker");
            },
            () -> 0,
            10,
            Duration.ofMillis(5),
            Duration.ofSeconds(20))) {
      assertThatThrownBy(() -> gate.awaitCapacity(0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no broker");
    }
  }
}
