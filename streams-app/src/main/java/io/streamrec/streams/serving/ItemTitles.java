package io.streamrec.streams.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Display titles of items, read once from a MovieLens {@code u.item} file ({@code
 * id|title|date|...}, Latin-1), for the HTTP answers and the live page. Ids without a title (or no
 * file at all: {@link #NONE}) answer {@code null}, and callers show the id instead.
 */
public final class ItemTitles {
  /** The MovieLens item file's name inside the folder {@code serving.movielens.dir} names. */
  public static final String ITEM_FILE = "u.item";

  /** No titles: every lookup is {@code null}. */
  public static final ItemTitles NONE = new ItemTitles(Map.of(), null);

  private final Map<String, String> titles;
  private final Path source;

  private ItemTitles(final Map<String, String> titles, final Path source) {
    this.titles = titles;
    this.source = source;
  }

  /**
   * The titles in {@code dir/u.item}; {@link #NONE} when {@code dir} is null.
   *
   * @throws IllegalArgumentException when {@code dir} is set but holds no readable {@code u.item}
   */
  public static ItemTitles load(final Path dir) {
    if (dir == null) {
      return NONE;
    }
    final Path file = dir.resolve(ITEM_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "serving.movielens.dir="
              + dir
              + " has no "
              + ITEM_FILE
              + " (point it at the MovieLens folder, e.g. ml-100k, or leave it empty to show item ids)");
    }
    final List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return new ItemTitles(parse(lines), file);
  }

  /** Titles by id from {@code u.item} lines; lines without an id and a title are skipped. */
  static Map<String, String> parse(final List<String> lines) {
    final Map<String, String> out = new HashMap<>(lines.size() * 2);
    for (String line : lines) {
      final int a = line.indexOf('|');
      if (a <= 0) {
        continue;
      }
      final int b = line.indexOf('|', a + 1);
      final String title = (b < 0 ? line.substring(a + 1) : line.substring(a + 1, b)).trim();
      if (!title.isEmpty()) {
        out.put(line.substring(0, a).trim(), title);
      }
    }
    return Map.copyOf(out);
  }

  /** The title of {@code itemId}, or {@code null}. */
  public String title(final String itemId) {
    return titles.get(itemId);
  }

  /** How many items have a title. */
  public int size() {
    return titles.size();
  }

  /** The file the titles came from, or {@code null} for {@link #NONE}. */
  public Path source() {
    return source;
  }
}
