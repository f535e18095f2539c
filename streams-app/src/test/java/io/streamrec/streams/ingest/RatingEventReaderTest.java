package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RatingEvent;
import io.streamrec.schemas.AvroSerde;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RatingEventReaderTest {
  private static final AvroSerde<RatingEvent> AVRO = AvroSerde.of(RatingEvent.class);

  /** Avro's answer for {@code bytes}: the event, or the exception's class and message. */
  private static Object avro(byte[] bytes) {
    try {
      return String.valueOf(AVRO.decode(bytes)); // toString: Avro's equals says NaN != NaN
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  private static Object ours(RatingEventReader r, byte[] bytes) {
    try {
      return String.valueOf(r.decode(bytes));
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  @Test
  void shouldAnswerExactlyAsAvroForValidTruncatedAndCorruptedPayloads() {
    RatingEventReader reader = new RatingEventReader(AVRO);
    SplittableRandom rnd = new SplittableRandom(9);
    String[] ids = {"", "1", "943", "c2-17", "ä€😀", "x".repeat(200)};
    long[] times = {0L, 1L, -1L, 874_724_710_000L, Long.MAX_VALUE, Long.MIN_VALUE};
    int checked = 0;
    for (int i = 0; i < 300; i++) {
      RatingEvent e =
          new RatingEvent(
              ids[rnd.nextInt(ids.length)],
              ids[rnd.nextInt(ids.length)],
              i % 7 == 0 ? Float.NaN : rnd.nextInt(11) / 2f,
              Instant.ofEpochMilli(i % 2 == 0 ? times[rnd.nextInt(times.length)] : rnd.nextLong()),
              i % 3 == 0 ? ids[rnd.nextInt(ids.length)] : null);
      byte[] bytes = AVRO.encode(e);
      assertThat(ours(reader, bytes)).isEqualTo(avro(bytes)).isEqualTo(String.valueOf(e));
      for (int cut = 0; cut < bytes.length; cut += 1 + cut / 8) {
        byte[] t = Arrays.copyOf(bytes, cut);
        assertThat(ours(reader, t)).isEqualTo(avro(t));
        checked++;
      }
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + rnd.nextInt(3));
      assertThat(ours(reader, longer)).isEqualTo(avro(longer));
      for (int flip = 0; flip < 8; flip++) {
        byte[] c = bytes.clone();
        int at = 10 + rnd.nextInt(c.length - 10);
        c[at] = (byte) rnd.nextInt(256);
        assertThat(ours(reader, c)).as("byte %d of %s", at, e).isEqualTo(avro(c));
        checked++;
      }
    }
    assertThat(ours(reader, null)).isEqualTo(avro(null));
    assertThat(checked).isGreaterThan(1000);
  }
}
