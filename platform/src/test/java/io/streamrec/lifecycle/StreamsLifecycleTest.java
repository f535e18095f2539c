package io.streamrec.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class StreamsLifecycleTest {
  @Test
  void shouldCountErrorStatesAsFailedWhetherOrNotClosing() {
    for (boolean closing : new boolean[] {false, true}) {
      assertThat(StreamsLifecycle.isFailure(State.PENDING_ERROR, closing)).isTrue();
      assertThat(StreamsLifecycle.isFailure(State.ERROR, closing)).isTrue();
    }
  }

  @Test
  void shouldCountAShutdownAsFailedWhenCloseWasNotCalled() {
    assertThat(StreamsLifecycle.isFailure(State.PENDING_SHUTDOWN, false)).isTrue();
    assertThat(StreamsLifecycle.isFailure(State.NOT_RUNNING, false)).isTrue();
    assertThat(StreamsLifecycle.isFailure(State.PENDING_SHUTDOWN, true)).isFalse();
    assertThat(StreamsLifecycle.isFailure(State.NOT_RUNNING, true)).isFalse();
  }

  @Test
  void shouldNotCountTheNormalStatesAsFailedWhenRunning() {
    Set<State> normal = EnumSet.of(State.CREATED, State.REBALANCING, State.RUNNING);
    for (State s : normal) {
      assertThat(StreamsLifecycle.isFailure(s, false)).as(s.name()).isFalse();
    }
  }
}
