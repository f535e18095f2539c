package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.schemas.AvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmbeddingEncoderTest {
  private static final AvroSerde<EmbeddingUpdate> SERDE = AvroSerde.of(EmbeddingUpdate.class);

  @Test
  void shouldWriteTheSameBytesAsTheAvroSerde() {
    EmbeddingEncoder encoder = new EmbeddingEncoder();
    SplittableRandom rnd = new SplittableRandom(3);
    for (int n = 0; n < 50; n++) {
      int dim = n % 7 == 0 ? 0 : 1 + rnd.nextInt(64);
      float[] v = new float[dim];
      List<Float> boxed = new ArrayList<>();
      for (int j = 0; j < dim; j++) {
        v[j] = (float) rnd.nextGaussian() * (n % 3 == 0 ? 1e-30f : 3f);
        boxed.add(v[j]);
      }
      String id = n % 5 == 0 ? "ユーザー-" + n : Integer.toString(rnd.nextInt(1_000_000));
      float bias = (float) rnd.nextGaussian();
      long version = rnd.nextLong(1L << 40);
      long at = 1_700_000_000_000L + rnd.nextInt(1_000_000);
      long et = n % 4 == 0 ? -5_000L : 880_000_000_000L + rnd.nextInt(1_000_000);
      double count = n % 2 == 0 ? 0.0 : rnd.nextDouble() * 100;
      long popTime = rnd.nextLong(1L << 42);
      float weight = (float) rnd.nextDouble();
      long halfLife = rnd.nextLong(1L << 35);
      EmbeddingUpdate expected =
          EmbeddingUpdate.newBuilder()
              .setId(id)
              .setVector(boxed)
              .setBias(bias)
              .setModelVersion(version)
              .setUpdatedAt(Instant.ofEpochMilli(at))
              .setEventTime(Instant.ofEpochMilli(et))
              .setPopularityCount(count)
              .setPopularityTimeMs(popTime)
              .setPopularityWeight(weight)
              .setPopularityHalfLifeMs(halfLife)
              .setDimension(dim)
              .build();

      byte[] bytes = encoder.encode(id, v, bias, version, at, et, count, popTime, weight, halfLife);

      assertThat(bytes).isEqualTo(SERDE.encode(expected));
      assertThat(SERDE.decode(bytes)).isEqualTo(expected);
    }
  }
}
