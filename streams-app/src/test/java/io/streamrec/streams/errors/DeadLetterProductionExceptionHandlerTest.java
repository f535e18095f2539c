package io.streamrec.streams.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.serving.ServingConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DeadLetterProductionExceptionHandlerTest {
  private static final String DLQ = "streamrec.dlq.ingest.v1";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private DeadLetterProductionExceptionHandler handler(Integer maxBytes) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(DeadLetterProductionExceptionHandler.DLQ_TOPIC_CONFIG, DLQ);
    configs.put(DeadLetterProductionExceptionHandler.STAGE_CONFIG, "ingest");
    configs.put(DeadLetterProductionExceptionHandler.METER_REGISTRY_CONFIG, registry);
    if (maxBytes != null) {
      configs.put(DeadLetterProductionExceptionHandler.MAX_BYTES_CONFIG, maxBytes.toString());
    }
    DeadLetterProductionExceptionHandler h = new DeadLetterProductionExceptionHandler();
    h.configure(configs);
    return h;
  }

  private double counted() {
    return registry
        .get("streamrec.dlq.records")
        .tag("stage", "ingest")
        .tag("reason", "record-too-large")
        .counter()
        .count();
  }

  @Test
  void shouldDeadLetterATruncatedCopyWithSourceCoordinatesAndResumeWhenRecordIsTooLarge() {
    DeadLetterProductionExceptionHandler h = handler(1024);
    byte[] key = new byte[700 * 1024];
    Arrays.fill(key, (byte) 'u');
    byte[] value = new byte[1_400_000];
    Arrays.fill(value, (byte) 'v');
    Headers headers = new RecordHeaders();
    headers.add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
    ProducerRecord<byte[], byte[]> refused =
        new ProducerRecord<>("app-ratings-by-user-repartition", 3, 123L, key, value, headers);

    Response r =
        h.handleError(
            context("streamrec.events.ratings.v1", 2, 41L),
            refused,
            new RecordTooLargeException("The message is 2116809 bytes when serialized"));

    assertThat(r.result()).isEqualTo(Result.RESUME);
    assertThat(r.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo(DLQ);
    assertThat(dead.partition()).isNull();
    assertThat(dead.timestamp()).isEqualTo(123L);
    assertThat(dead.key()).hasSize(1024).containsOnly((byte) 'u');
    assertThat(dead.value()).hasSize(1024).containsOnly((byte) 'v');
    Headers dh = dead.headers();
    assertThat(DeadLetterHeaders.get(dh, DeadLetterHeaders.REASON)).isEqualTo("record-too-large");
    assertThat(DeadLetterHeaders.get(dh, DeadLetterHeaders.STAGE)).isEqualTo("ingest");
    assertThat(DeadLetterHeaders.get(dh, DeadLetterHeaders.TOPIC))
        .isEqualTo("streamrec.events.ratings.v1");
    assertThat(DeadLetterHeaders.get(dh, DeadLetterHeaders.PARTITION)).isEqualTo("2");
    assertThat(DeadLetterHeaders.get(dh, DeadLetterHeaders.OFFSET)).isEqualTo("41");
    assertThat(DeadLetterHeaders.get(dh, DeadLetterHeaders.EXCEPTION_CLASS))
        .isEqualTo(RecordTooLargeException.class.getName());
    assertThat(DeadLetterHeaders.get(dh, DeadLetterProductionExceptionHandler.TARGET_TOPIC))
        .isEqualTo("app-ratings-by-user-repartition");
    assertThat(DeadLetterHeaders.get(dh, DeadLetterProductionExceptionHandler.ORIGINAL_KEY_BYTES))
        .isEqualTo(Integer.toString(700 * 1024));
    assertThat(DeadLetterHeaders.get(dh, DeadLetterProductionExceptionHandler.ORIGINAL_VALUE_BYTES))
        .isEqualTo("1400000");
    assertThat(DeadLetterHeaders.get(dh, "trace")).isEqualTo("t-1");
    assertThat(counted()).isEqualTo(1.0);
  }

  @Test
  void shouldKeepSmallRecordsWholeAndHandleNullKeyAndValue() {
    DeadLetterProductionExceptionHandler h = handler(null);
    Response r =
        h.handleError(
            context("in", 0, 7L),
            new ProducerRecord<>("out", null, null),
            new RecordBatchTooLargeException("batch"));
    assertThat(r.result()).isEqualTo(Result.RESUME);
    ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().get(0);
    assertThat(dead.key()).isNull();
    assertThat(dead.value()).isNull();
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON))
        .isEqualTo("record-too-large");

    byte[] small = "small".getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> kept =
        h.handleError(
                context("in", 0, 8L),
                new ProducerRecord<>("out", small, small),
                new RecordTooLargeException("x"))
            .deadLetterQueueRecords()
            .get(0);
    assertThat(kept.key()).isEqualTo(small);
    assertThat(kept.value()).isEqualTo(small);
    assertThat(counted()).isEqualTo(2.0);
  }

  @Test
  void shouldDropOriginalHeadersThatWouldNotFit() {
    DeadLetterProductionExceptionHandler h = handler(100);
    Headers headers = new RecordHeaders();
    headers.add("big", new byte[500]);
    ProducerRecord<byte[], byte[]> dead =
        h.handleError(
                context("in", 0, 1L),
                new ProducerRecord<>("out", null, null, new byte[10], new byte[10], headers),
                new RecordTooLargeException("x"))
            .deadLetterQueueRecords()
            .get(0);
    assertThat(dead.headers().lastHeader("big")).isNull();
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON))
        .isEqualTo("record-too-large");
  }

  @Test
  void shouldFailOnEveryOtherException() {
    DeadLetterProductionExceptionHandler h = handler(null);
    ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>("out", new byte[1], new byte[1]);
    for (Exception e :
        new Exception[] {
          new TimeoutException("t"),
          new IllegalStateException("bug"),
          new RuntimeException(
              new RecordTooLargeException("wrapped is not a size refusal of this send"))
        }) {
      Response r = h.handleError(context("in", 0, 1L), rec, e);
      assertThat(r.result()).as(e.toString()).isEqualTo(Result.FAIL);
      assertThat(r.deadLetterQueueRecords()).isEmpty();
    }
    assertThat(counted()).isZero();
  }

  @Test
  void shouldFailWhenADeadLetterThatAlreadyFitsIsRefused() {
    DeadLetterProductionExceptionHandler h = handler(1024);
    Response small =
        h.handleError(
            context("in", 0, 1L),
            new ProducerRecord<>(DLQ, new byte[10], new byte[1024]),
            new RecordTooLargeException("an earlier send's error replayed by the producer"));
    assertThat(small.result()).isEqualTo(Result.FAIL);
    // an original record on its way to the dead-letter topic can itself be too large: truncated,
    // resumed
    Response big =
        h.handleError(
            context("in", 0, 2L),
            new ProducerRecord<>(DLQ, null, new byte[2_000_000]),
            new RecordTooLargeException("x"));
    assertThat(big.result()).isEqualTo(Result.RESUME);
    assertThat(big.deadLetterQueueRecords().get(0).value()).hasSize(1024);
    assertThat(counted()).isEqualTo(1.0);
  }

  @Test
  void shouldRequireTopicAndStage() {
    assertThatThrownBy(
            () ->
                new DeadLetterProductionExceptionHandler()
                    .configure(Map.of(DeadLetterProductionExceptionHandler.STAGE_CONFIG, "ingest")))
        .hasMessageContaining(DeadLetterProductionExceptionHandler.DLQ_TOPIC_CONFIG);
    assertThatThrownBy(
            () ->
                new DeadLetterProductionExceptionHandler()
                    .configure(Map.of(DeadLetterProductionExceptionHandler.DLQ_TOPIC_CONFIG, DLQ)))
        .hasMessageContaining(DeadLetterProductionExceptionHandler.STAGE_CONFIG);
  }

  @Test
  void shouldBeInstalledInBothStreamsConfigs() {
    Properties ingest =
        IngestConfig.load(null, Map.of(), Map.of("topics.suffix", "-t")).toStreamsProperties();
    assertThat(ingest.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(DeadLetterProductionExceptionHandler.class.getName());
    assertThat(ingest.get(DeadLetterProductionExceptionHandler.DLQ_TOPIC_CONFIG))
        .isEqualTo(Topics.DLQ_INGEST.name() + "-t");
    assertThat(ingest.get(DeadLetterProductionExceptionHandler.STAGE_CONFIG)).isEqualTo("ingest");

    Properties serving = ServingConfig.of(Map.of()).toStreamsProperties();
    assertThat(serving.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(DeadLetterProductionExceptionHandler.class.getName());
    assertThat(serving.get(DeadLetterProductionExceptionHandler.DLQ_TOPIC_CONFIG))
        .isEqualTo(Topics.DLQ_SERVING.name());
    assertThat(serving.get(DeadLetterProductionExceptionHandler.STAGE_CONFIG)).isEqualTo("serving");
    // Kafka Streams accepts the configuration (the handler class is instantiated and configured at
    // startup)
    assertThat(new StreamsConfig(ingest).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
  }

  private static ErrorHandlerContext context(String topic, int partition, long offset) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public int partition() {
        return partition;
      }

      @Override
      public long offset() {
        return offset;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "filter-min-user-count";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, partition);
      }

      @Override
      public long timestamp() {
        return 0L;
      }

      @Override
      public byte[] sourceRawKey() {
        return null;
      }

      @Override
      public byte[] sourceRawValue() {
        return null;
      }
    };
  }
}
