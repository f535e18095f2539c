package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.errors.DeadLetterPayload;
import io.streamrec.streams.errors.DeadLetterProductionExceptionHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input at the ingest topology: every record below is dead-lettered with its {@link
 * DeadLetterReason}, the topology never throws, and a valid record sent after it is still processed
 * (no crash, no loop, no stuck task).
 */
class IngestPoisonPillTest {
  /** The driver's wall clock; event times are bounded relative to it. */
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private static final long T = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final AvroSerde<RatingEvent> RATING = AvroSerde.of(RatingEvent.class);
  private static final int ONE_MB = 1024 * 1024;

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private MeterRegistry registry;
  private TestInputTopic<byte[], byte[]> in;
  private TestOutputTopic<String, TrainingExample> out;
  private TestOutputTopic<byte[], byte[]> dlq;
  private int canary;

  @BeforeEach
  void start() {
    start(Map.of());
  }

  private void start(Map<String, String> flags) {
    if (driver != null) {
      driver.close();
    }
    Map<String, String> all = new HashMap<>(flags);
    all.put(IngestConfig.STATE_DIR, stateDir.toString());
    all.put(IngestConfig.MIN_USER_INTERACTIONS, "1");
    IngestConfig config = IngestConfig.load(null, Map.of(), all);
    registry = new SimpleMeterRegistry();
    Properties props = config.toStreamsProperties();
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    driver = new TopologyTestDriver(IngestTopology.build(config, registry), props, NOW);
    in =
        driver.createInputTopic(
            Topics.RATINGS.name(), new ByteArraySerializer(), new ByteArraySerializer());
    out =
        driver.createOutputTopic(
            Topics.TRAINING_EXAMPLES.name(),
            new StringDeserializer(),
            Topics.TRAINING_EXAMPLES.valueSerde().deserializer());
    dlq =
        driver.createOutputTopic(
            Topics.DLQ_INGEST.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] encode(String user, String item, float rating, long ts) {
    return RATING.encode(new RatingEvent(user, item, rating, Instant.ofEpochMilli(ts), null));
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static String repeat(char c, int n) {
    char[] chars = new char[n];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  /**
   * Sends {@code value} with {@code key}, expects one dead letter with {@code reason}, then a valid
   * canary.
   */
  private void assertDeadLettered(byte[] key, byte[] value, DeadLetterReason reason) {
    in.pipeInput(key, value);
    TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON))
        .isEqualTo(reason.tag());
    assertThat(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.STAGE)).isEqualTo("ingest");
    if (length(key) <= DeadLetterPayload.MAX_BYTES
        && length(value) <= DeadLetterPayload.MAX_BYTES) {
      assertThat(dead.value()).isEqualTo(value);
      assertThat(dead.key()).isEqualTo(key);
      assertThat(
              dead.headers().lastHeader(DeadLetterProductionExceptionHandler.ORIGINAL_VALUE_BYTES))
          .isNull();
    } else {
      // too large to be written as it came (max.request.size): the first MAX_BYTES bytes and the
      // true sizes
      assertThat(dead.value()).isEqualTo(DeadLetterPayload.cut(value));
      assertThat(dead.key()).isEqualTo(DeadLetterPayload.cut(key));
      assertThat(length(dead.key()) + length(dead.value()))
          .isLessThanOrEqualTo(2 * DeadLetterPayload.MAX_BYTES);
      assertThat(
              DeadLetterHeaders.get(
                  dead.headers(), DeadLetterProductionExceptionHandler.ORIGINAL_KEY_BYTES))
          .isEqualTo(Integer.toString(length(key)));
      assertThat(
              DeadLetterHeaders.get(
                  dead.headers(), DeadLetterProductionExceptionHandler.ORIGINAL_VALUE_BYTES))
          .isEqualTo(Integer.toString(length(value)));
    }
    String message = DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.EXCEPTION_MESSAGE);
    assertThat(message.length())
        .as("the message quotes a bounded preview, not the input")
        .isLessThan(1000);
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(out.isEmpty()).isTrue();
    assertThat(registry.get(DeadLetterMeter.NAME).tag("reason", reason.tag()).counter().count())
        .isPositive();

    String user = "c" + canary++;
    in.pipeInput(utf8(user), encode(user, "i1", 4f, T));
    assertThat(out.readKeyValue().key).as("still processing after the pill").isEqualTo(user);
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterGarbageEmptyAndNullValues() {
    assertDeadLettered(utf8("u1"), utf8("definitely not avro"), DeadLetterReason.UNDECODABLE);
    assertDeadLettered(utf8("u1"), new byte[0], DeadLetterReason.UNDECODABLE);
    assertDeadLettered(utf8("u1"), null, DeadLetterReason.UNDECODABLE);
    assertDeadLettered(null, null, DeadLetterReason.UNDECODABLE);
    assertDeadLettered(new byte[0], new byte[] {(byte) 0xC3, 0x01}, DeadLetterReason.UNDECODABLE);
    byte[] random = new byte[4096];
    new Random(42).nextBytes(random);
    assertDeadLettered(null, random, DeadLetterReason.UNDECODABLE);
  }

  @Test
  void shouldDeadLetterUnknownFingerprintAndCorruptBodies() {
    byte[] valid = encode("u1", "i1", 4f, T);
    byte[] unknown = valid.clone();
    for (int i = 2; i < 10; i++) {
      unknown[i] = (byte) ~unknown[i];
    }
    assertDeadLettered(utf8("u1"), unknown, DeadLetterReason.UNDECODABLE);
    assertDeadLettered(
        utf8("u1"), Arrays.copyOf(valid, valid.length - 3), DeadLetterReason.UNDECODABLE);
    // a known fingerprint followed by a string length of about 2^62: must not allocate it
    byte[] hugeLength = Arrays.copyOf(valid, 19);
    Arrays.fill(hugeLength, 10, 18, (byte) 0xFE);
    hugeLength[18] = 0x7F;
    assertDeadLettered(utf8("u1"), hugeLength, DeadLetterReason.UNDECODABLE);
    // a known fingerprint followed by a valid string length of 2^30 (1 GiB) and nothing behind it
    byte[] gib = Arrays.copyOf(valid, 15);
    System.arraycopy(
        new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 0, gib, 10, 5);
    assertDeadLettered(utf8("u1"), gib, DeadLetterReason.UNDECODABLE);
    // a known fingerprint followed by a negative string length
    byte[] negative = Arrays.copyOf(valid, 11);
    negative[10] = 0x01;
    assertDeadLettered(utf8("u1"), negative, DeadLetterReason.UNDECODABLE);
  }

  @Test
  void shouldDeadLetterEmptyKeyThatDiffersFromUser() {
    assertDeadLettered(new byte[0], encode("u1", "i1", 4f, T), DeadLetterReason.KEY_MISMATCH);
  }

  @ParameterizedTest
  @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
  void shouldDeadLetterNonFiniteRatings(float rating) {
    assertDeadLettered(
        utf8("u1"), encode("u1", "i1", rating, T), DeadLetterReason.RATING_NOT_FINITE);
  }

  @ParameterizedTest
  @ValueSource(floats = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0.0f, 5.0001f, 1e30f})
  void shouldDeadLetterOutOfRangeRatings(float rating) {
    assertDeadLettered(
        utf8("u1"), encode("u1", "i1", rating, T), DeadLetterReason.RATING_OUT_OF_RANGE);
  }

  @Test
  void shouldDeadLetterOneMegabyteIdsKeyedAndUnkeyed() {
    String big = repeat('x', ONE_MB);
    assertDeadLettered(utf8(big), encode(big, "i1", 4f, T), DeadLetterReason.INVALID_USER_ID);
    assertDeadLettered(null, encode(big, "i1", 4f, T), DeadLetterReason.INVALID_USER_ID);
    assertDeadLettered(utf8("u1"), encode("u1", big, 4f, T), DeadLetterReason.INVALID_ITEM_ID);
    assertDeadLettered(null, encode("u1", big, 4f, T), DeadLetterReason.INVALID_ITEM_ID);
    // the pills: a 700 KB user id with a null key, 600 KB item ids
    assertDeadLettered(
        null, encode(repeat('u', 700 * 1024), "i1", 4f, T), DeadLetterReason.INVALID_USER_ID);
    assertDeadLettered(
        utf8("u2"), encode("u2", repeat('a', 600 * 1024), 4f, T), DeadLetterReason.INVALID_ITEM_ID);
    assertThat(driver.getKeyValueStore(MinCountProcessor.STORE).get("u2")).isNull();
  }

  @Test
  void shouldBoundIdsByUtf8BytesAtTheConfiguredMaximum() {
    String at = repeat('a', 256);
    in.pipeInput(utf8(at), encode(at, repeat('i', 256), 4f, T));
    assertThat(out.readKeyValue().key).isEqualTo(at);
    assertDeadLettered(
        utf8(at + "a"), encode(at + "a", "i1", 4f, T), DeadLetterReason.INVALID_USER_ID);
    // 129 two-byte characters are 258 bytes
    String wide = repeat('é', 129);
    assertDeadLettered(utf8("u1"), encode("u1", wide, 4f, T), DeadLetterReason.INVALID_ITEM_ID);

    start(Map.of(IngestConfig.ID_MAX_LENGTH, "4"));
    in.pipeInput(utf8("abcd"), encode("abcd", "1234", 4f, T));
    assertThat(out.readKeyValue().key).isEqualTo("abcd");
    assertDeadLettered(utf8("u1"), encode("u1", "12345", 4f, T), DeadLetterReason.INVALID_ITEM_ID);
  }

  @Test
  void shouldDeadLetterFarPastAndFarFutureTimestamps() {
    long year3000 =
        ZonedDateTime.of(3000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();
    for (long ts :
        new long[] {year3000, Long.MAX_VALUE, Long.MIN_VALUE, -62_135_596_800_000L, 0L, -1L}) {
      assertDeadLettered(
          utf8("u1"), encode("u1", "i1", 4f, ts), DeadLetterReason.INVALID_TIMESTAMP);
    }
  }

  @Test
  void shouldAcceptEventTimesUpToTheConfiguredFutureBoundOfTheWallClock() {
    long bound = NOW.plus(Duration.ofDays(1)).toEpochMilli();
    in.pipeInput(utf8("u1"), encode("u1", "i1", 4f, bound));
    in.pipeInput(utf8("u1"), encode("u1", "i2", 4f, 1L));
    assertThat(out.readValuesToList()).hasSize(2);
    assertDeadLettered(
        utf8("u1"), encode("u1", "i3", 4f, bound + 1), DeadLetterReason.INVALID_TIMESTAMP);

    // the bound follows the wall clock
    driver.advanceWallClockTime(Duration.ofDays(2));
    in.pipeInput(utf8("u1"), encode("u1", "i3", 4f, bound + 1));
    assertThat(out.readValuesToList()).hasSize(1);

    start(Map.of(IngestConfig.TIMESTAMP_MAX_FUTURE, "PT1M"));
    assertDeadLettered(
        utf8("u1"),
        encode("u1", "i1", 4f, NOW.plusSeconds(61).toEpochMilli()),
        DeadLetterReason.INVALID_TIMESTAMP);
  }
}
