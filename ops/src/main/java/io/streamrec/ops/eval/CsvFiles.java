package io.streamrec.ops.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline file mode. Recommendations: {@code user_id,item_id,score} (higher is better; per user,
 * ranked by score descending, ties by item id). Interactions: {@code
 * user_id,item_id,rating,timestamp} (timestamp in Unix seconds, as MovieLens). A first line whose
 * numeric column does not parse is a header and skipped.
 */
public final class CsvFiles {
  private CsvFiles() {}

  private record Scored(String item, double score) {}

  /** Per user, items best first. */
  public static Map<String, List<String>> readRecommendations(Path file) {
    Map<String, List<Scored>> raw = new LinkedHashMap<>();
    forEachRow(
        file,
        3,
        2,
        (p, line) ->
            raw.computeIfAbsent(p[0], u -> new ArrayList<>())
                .add(new Scored(p[1], parse(p[2], file, line))));
    Map<String, List<String>> out = new LinkedHashMap<>();
    raw.forEach(
        (u, list) -> {
          list.sort(
              (a, b) -> {
                int c = Double.compare(b.score(), a.score());
                return c != 0 ? c : a.item().compareTo(b.item());
              });
          out.put(u, list.stream().map(Scored::item).distinct().toList());
        });
    return out;
  }

  public static List<Interaction> readInteractions(Path file) {
    List<Interaction> out = new ArrayList<>();
    forEachRow(
        file,
        4,
        2,
        (p, line) ->
            out.add(
                new Interaction(
                    p[0],
                    p[1],
                    (float) parse(p[2], file, line),
                    (long) parse(p[3], file, line) * 1000L)));
    return out;
  }

  private interface Row {
    void accept(String[] fields, int lineNo);
  }

  private static void forEachRow(Path file, int fields, int numericColumn, Row row) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] p = line.split(",", -1);
        if (p.length < fields) {
          throw new IllegalArgumentException(
              file + ":" + lineNo + ": expected " + fields + " columns, got " + p.length);
        }
        for (int i = 0; i < p.length; i++) {
          p[i] = p[i].trim();
        }
        if (lineNo == 1 && !isNumber(p[numericColumn])) {
          continue;
        }
        row.accept(p, lineNo);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static double parse(String s, Path file, int lineNo) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ":" + lineNo + ": not a number: '" + s + "'", e);
    }
  }
}
