package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads MovieLens-100k {@code u.data}: {@code user \t item \t rating \t unixSeconds}, in file
 * order.
 */
public final class UData {
  private UData() {}

  public static List<RatingEvent> read(Path file) throws IOException {
    List<RatingEvent> out = new ArrayList<>(100_000);
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      out.add(
          new RatingEvent(
              f[0],
              f[1],
              Float.parseFloat(f[2]),
              Instant.ofEpochSecond(Long.parseLong(f[3].trim())),
              null));
    }
    return out;
  }
}
