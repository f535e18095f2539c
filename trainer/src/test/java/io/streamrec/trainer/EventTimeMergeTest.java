package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.avro.TrainingExample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class EventTimeMergeTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final TopicPartition P2 = new TopicPartition("t", 2);

  private static Pending at(long time, long offset) {
    return Pending.example(
        new TrainingExample("u", "i", 4f, Instant.ofEpochMilli(time), 1), offset);
  }

  private static List<String> drain(EventTimeMerge m, Set<TopicPartition> caughtUp) {
    List<String> out = new ArrayList<>();
    m.drain(caughtUp::contains, (tp, p) -> out.add(tp.partition() + "@" + p.offset()));
    return out;
  }

  @Test
  void shouldEmitInEventTimeOrderWhenRecordsComeFromSeveralPartitions() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0, P1, P2), 100);
    m.add(P0, at(10, 0));
    m.add(P0, at(40, 1));
    m.add(P0, at(70, 2));
    m.add(P1, at(20, 0));
    m.add(P1, at(50, 1));
    m.add(P2, at(30, 0));
    // every partition is caught up: all of it can go, by time
    assertThat(drain(m, Set.of(P0, P1, P2)))
        .containsExactly("0@0", "1@0", "2@0", "0@1", "1@1", "0@2");
    assertThat(m.buffered()).isZero();
  }

  @Test
  void shouldWaitWhenAPartitionMayStillDeliverAnEarlierRecord() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0, P1), 100);
    m.add(P0, at(10, 0));
    m.add(P0, at(30, 1));
    m.add(P1, at(20, 0));
    // P1 empties after 20 and is not caught up: 30 on P0 must wait (P1 may still hold 25)
    assertThat(drain(m, Set.of())).containsExactly("0@0", "1@0");
    assertThat(m.buffered()).isEqualTo(1);
    m.add(P1, at(25, 1));
    assertThat(drain(m, Set.of())).containsExactly("1@1");
    assertThat(drain(m, Set.of(P1))).containsExactly("0@1");
  }

  @Test
  void shouldNotBlockWhenAnEmptyPartitionIsCaughtUp() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0, P1), 100);
    m.add(P0, at(10, 5));
    assertThat(drain(m, Set.of())).as("P1 not caught up").isEmpty();
    assertThat(drain(m, Set.of(P1))).containsExactly("0@5");
  }

  @Test
  void shouldPreferThePartitionListedFirstWhenTimesAreEqual() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0, P1), 100);
    m.add(P1, at(10, 0));
    m.add(P0, at(10, 0));
    m.add(P0, at(5, 1)); // out of time order within P0: offset order wins inside a partition
    assertThat(drain(m, Set.of(P0, P1))).containsExactly("0@0", "0@1", "1@0");
  }

  @Test
  void shouldReleaseADeadLetterFirstWhenItsWriteIsAcknowledged() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0, P1), 100);
    Pending.Ack ack = new Pending.Ack();
    m.add(P0, Pending.deadLetter(0, ack));
    m.add(P0, at(10, 1));
    m.add(P1, at(5, 0));
    assertThat(drain(m, Set.of(P0, P1))).as("unacknowledged dead letter blocks").isEmpty();
    ack.complete(null);
    assertThat(drain(m, Set.of(P0, P1))).containsExactly("0@0", "1@0", "0@1");
  }

  @Test
  void shouldSurfaceTheFailureWhenADeadLetterWriteFails() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0), 100);
    Pending.Ack ack = new Pending.Ack();
    m.add(P0, Pending.deadLetter(3, ack));
    ack.complete(new TimeoutException("broker gone"));
    assertThatThrownBy(() -> drain(m, Set.of(P0)))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("offset 3")
        .hasRootCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void shouldReportFullPartitionsWhenBufferedAndClearWhenAsked() {
    EventTimeMerge m = new EventTimeMerge(List.of(P0, P1), 2);
    m.add(P0, at(1, 0));
    m.add(P0, at(2, 1));
    m.add(P1, at(3, 0));
    assertThat(m.full()).containsExactly(P0);
    m.clear();
    assertThat(m.buffered()).isZero();
    assertThat(m.full()).isEmpty();
    assertThatThrownBy(() -> m.add(new TopicPartition("other", 0), at(1, 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new HashSet<>(m.partitions())).containsExactlyInAnyOrder(P0, P1);
  }
}
