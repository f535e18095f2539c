package io.streamrec.ops.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the MovieLens variants StreamRec replays: 100k ({@code u.data}, tab-separated, {@code
 * u.item} and {@code u.user} as metadata), 1M ({@code ratings.dat}, {@code ::}-separated, with
 * {@code movies.dat} and {@code users.dat}) and 20M/25M ({@code ratings.csv} with a header, {@code
 * movies.csv}; no user file, so every rated user counts as known). Timestamps are Unix seconds in
 * the files and epoch milliseconds here.
 */
public final class MovieLens {

  /** Which files a directory holds. */
  public enum Format {
    ML_100K,
    ML_1M,
    ML_CSV
  }

  /**
   * The ratings in file order, plus the ids the metadata files know (null = no metadata file, all
   * known).
   */
  public record Dataset(
      Format format, List<Interaction> ratings, Set<String> knownUsers, Set<String> knownItems) {}

  private MovieLens() {}

  public static Format detect(Path dir) {
    if (Files.isRegularFile(dir.resolve("u.data"))) {
      return Format.ML_100K;
    }
    if (Files.isRegularFile(dir.resolve("ratings.dat"))) {
      return Format.ML_1M;
    }
    if (Files.isRegularFile(dir.resolve("ratings.csv"))) {
      return Format.ML_CSV;
    }
    throw new IllegalArgumentException(
        "No MovieLens ratings in " + dir + " (expected u.data, ratings.dat or ratings.csv)");
  }

  public static Dataset load(Path dir) {
    Format f = detect(dir);
    try {
      return switch (f) {
        case ML_100K ->
            new Dataset(
                f,
                readRatings(dir.resolve("u.data"), "\t", false),
                firstColumn(dir.resolve("u.user"), "\\|"),
                firstColumn(dir.resolve("u.item"), "\\|"));
        case ML_1M ->
            new Dataset(
                f,
                readRatings(dir.resolve("ratings.dat"), "::", false),
                firstColumn(dir.resolve("users.dat"), "::"),
                firstColumn(dir.resolve("movies.dat"), "::"));
        case ML_CSV ->
            new Dataset(
                f,
                readRatings(dir.resolve("ratings.csv"), ",", true),
                null,
                firstColumnCsv(dir.resolve("movies.csv")));
      };
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read MovieLens from " + dir, e);
    }
  }

  /** A stable sort by event time: equal timestamps keep their file order. */
  public static List<Interaction> sortedByTime(List<Interaction> ratings) {
    List<Interaction> sorted = new ArrayList<>(ratings);
    sorted.sort(Comparator.comparingLong(Interaction::timestamp));
    return sorted;
  }

  private static List<Interaction> readRatings(Path file, String sep, boolean header)
      throws IOException {
    List<Interaction> out = new ArrayList<>(100_000);
    String quoted = Pattern.quote(sep);
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String line;
      int lineNo = 0;
      if (header) {
        r.readLine();
        lineNo++;
      }
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] p = line.split(quoted, -1);
        if (p.length < 4) {
          throw new IllegalArgumentException(
              file + ":" + lineNo + ": expected 4 fields, got " + p.length);
        }
        try {
          out.add(
              new Interaction(
                  p[0].trim(),
                  p[1].trim(),
                  Float.parseFloat(p[2].trim()),
                  Long.parseLong(p[3].trim()) * 1000L));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  private static Set<String> firstColumn(Path file, String sepRegex) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Set<String> ids = new HashSet<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          ids.add(line.split(sepRegex, 2)[0].trim());
        }
      }
    }
    return ids;
  }

  private static Set<String> firstColumnCsv(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Set<String> ids = new HashSet<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      r.readLine();
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          ids.add(line.substring(0, line.indexOf(',')).trim());
        }
      }
    }
    return ids;
  }
}
