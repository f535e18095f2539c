package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class PublishedVersionsTest {

  @Test
  void shouldFailRatherThanAnswerZeroWhenThePartitionCannotBeReadInTime() {
    MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
    TopicPartition tp = new TopicPartition("items", 0);
    c.updatePartitions(
        "items", List.of(new PartitionInfo("items", 0, Node.noNode(), new Node[0], new Node[0])));
    c.updateBeginningOffsets(Map.of(tp, 0L));
    c.updateEndOffsets(Map.of(tp, 5L));
    // five offsets on the broker, none delivered: the old reader gave up silently and answered 0
    assertThatThrownBy(() -> PublishedVersions.newest(c, List.of("items"), Duration.ofMillis(300)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("items-0");
  }
}
