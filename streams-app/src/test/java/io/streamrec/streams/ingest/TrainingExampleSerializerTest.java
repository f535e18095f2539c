package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingExampleSerializerTest {
  private static final AvroSerde<TrainingExample> AVRO = AvroSerde.of(TrainingExample.class);

  @Test
  void shouldWriteTheSameBytesAsAvro() {
    SplittableRandom rnd = new SplittableRandom(5);
    String[] ids = {"", "1", "943", "c2-17", "ä€😀", "x".repeat(300), "\uD800 unpaired"};
    long[] times = {
      0L, 1L, -1L, 874_724_710_000L, Long.MAX_VALUE, Long.MIN_VALUE, 1_700_000_000_123L
    };
    int[] counts = {0, 1, 20, 63, 64, 8191, 8192, Integer.MAX_VALUE, -5};
    float[] ratings = {0.5f, 5f, -0f, 3.25f, Float.MAX_VALUE};
    for (int i = 0; i < 2000; i++) {
      TrainingExample e =
          new TrainingExample(
              ids[rnd.nextInt(ids.length)],
              ids[rnd.nextInt(ids.length)],
              ratings[rnd.nextInt(ratings.length)],
              Instant.ofEpochMilli(i % 2 == 0 ? times[rnd.nextInt(times.length)] : rnd.nextLong()),
              i % 3 == 0 ? counts[rnd.nextInt(counts.length)] : rnd.nextInt());
      byte[] ours = TrainingExampleSerializer.encode(e);
      assertThat(ours).as("%s", e).isEqualTo(AVRO.encode(e));
      if (!(e.getUserId() + e.getItemId())
          .contains("unpaired")) { // an unpaired surrogate reads back as '?'
        assertThat(AVRO.decode(ours)).isEqualTo(e);
      }
    }
  }
}
