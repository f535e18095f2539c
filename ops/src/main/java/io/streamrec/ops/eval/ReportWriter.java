package io.streamrec.ops.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes {@code results.md}, {@code results.json} and a self-contained {@code results.html} (inline
 * SVG).
 */
public final class ReportWriter {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  /** {@code runs/<UTC timestamp>}. */
  public static Path defaultOutDir() {
    return Path.of(
        "runs",
        LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  public static void write(Path dir, String title, String markdown, Object json, String svg) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("results.md"),
          "# " + title + System.lineSeparator() + System.lineSeparator() + markdown,
          StandardCharsets.UTF_8);
      JSON.writeValue(dir.resolve("results.json").toFile(), json);
      String html =
          "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
              + Svg.esc(title)
              + "</title>\n"
              + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
              + "td,th{border:1px solid #ccc;padding:4px 8px}pre{background:#f6f6f6;padding:8px}</style></head><body>\n"
              + "<h1>"
              + Svg.esc(title)
              + "</h1>\n"
              + markdownToHtml(markdown)
              + "\n"
              + svg
              + "\n</body></html>\n";
      Files.writeString(dir.resolve("results.html"), html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write results to " + dir, e);
    }
  }

  /**
   * Just enough Markdown for our reports: tables become HTML tables, other lines preformatted text.
   */
  static String markdownToHtml(String md) {
    StringBuilder b = new StringBuilder();
    boolean inTable = false;
    StringBuilder pre = new StringBuilder();
    for (String line : md.split("\\R")) {
      if (line.startsWith("|")) {
        if (pre.length() > 0) {
          b.append("<pre>").append(Svg.esc(pre.toString())).append("</pre>\n");
          pre.setLength(0);
        }
        if (line.startsWith("|---")) {
          continue;
        }
        String[] cells =
            line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|");
        String tag = inTable ? "td" : "th";
        if (!inTable) {
          b.append("<table>\n");
          inTable = true;
        }
        b.append("<tr>");
        for (String c : cells) {
          b.append('<')
              .append(tag)
              .append('>')
              .append(Svg.esc(c.trim()))
              .append("</")
              .append(tag)
              .append('>');
        }
        b.append("</tr>\n");
      } else {
        if (inTable) {
          b.append("</table>\n");
          inTable = false;
        }
        if (!line.isBlank()) {
          pre.append(line).append('\n');
        }
      }
    }
    if (inTable) {
      b.append("</table>\n");
    }
    if (pre.length() > 0) {
      b.append("<pre>").append(Svg.esc(pre.toString())).append("</pre>\n");
    }
    return b.toString();
  }
}
