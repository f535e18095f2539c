package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RatingEvent;
import io.streamrec.testkit.MovieLensFixture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The encoded size of MovieLens-100k users' states (the figure {@code docs/ingest.md} and {@code
 * docs/benchmarks.md} quote), built by the same incremental path the processor takes: record,
 * encode after every event, and decode every 10th time as a cache miss would.
 */
class UserStateSizeTest {

  @Test
  void shouldKeepMovieLensStatesCompact() throws Exception {
    List<RatingEvent> ratings = UData.read(MovieLensFixture.ml100kOrSkip().resolve("u.data"));
    Map<String, UserState> users = new HashMap<>();
    Map<String, byte[]> encoded = new HashMap<>();
    int n = 0;
    for (RatingEvent e : ratings) {
      UserState s = users.computeIfAbsent(e.getUserId(), u -> new UserState());
      long ts = e.getTimestamp().toEpochMilli();
      if (s.isDuplicate(e.getItemId(), ts)) {
        continue;
      }
      s.record(e.getItemId(), ts);
      byte[] bytes = UserStateSerde.encode(s);
      encoded.put(e.getUserId(), bytes);
      if (++n % 10 == 0) {
        users.put(e.getUserId(), UserStateSerde.decode(bytes));
      }
    }
    long bytes = encoded.values().stream().mapToLong(b -> b.length).sum();
    long items = users.values().stream().mapToLong(UserState::itemCount).sum();
    double perItem = (double) bytes / items;
    assertThat(items).isEqualTo(100_000);
    assertThat(perItem).as("bytes per (user, item): %.2f", perItem).isBetween(5.0, 7.0);
  }
}
