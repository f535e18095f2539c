package io.streamrec.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one golden-file convention of the project: a golden file is a test resource next to the
 * test's package ({@code src/test/resources/<package path>/<name>}), compared byte for byte with
 * what the test produced. To accept a deliberate change, run the test with {@code
 * -Dstreamrec.golden.update=true}: the file is rewritten in the module's source tree and the test
 * fails once with the path, so that the new file is reviewed and committed rather than accepted
 * silently. A missing golden file fails the same way.
 */
public final class GoldenFile {
  /** The system property that rewrites golden files instead of comparing. */
  public static final String UPDATE_PROPERTY = "streamrec.golden.update";

  private GoldenFile() {}

  /**
   * Asserts that {@code actual} equals the golden file {@code name} in the package of {@code test}.
   *
   * @param test the test class; its package names the resource directory
   * @param name the file name, e.g. {@code ingest-topology.txt}
   * @param actual what the test produced
   */
  public static void assertMatches(Class<?> test, String name, String actual) {
    String resource = test.getPackageName().replace('.', '/') + "/" + name;
    String golden = read(test, resource);
    if (golden == null || Boolean.getBoolean(UPDATE_PROPERTY)) {
      Path file = Path.of("src/test/resources").resolve(resource);
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new AssertionError(
          "golden file "
              + (golden == null ? "was missing; " : "rewritten; ")
              + "written to "
              + file.toAbsolutePath()
              + ": review it, commit it and run the test again without -D"
              + UPDATE_PROPERTY);
    }
    assertEquals(
        golden,
        actual,
        () ->
            "golden file "
                + resource
                + " (to accept a deliberate change: -D"
                + UPDATE_PROPERTY
                + "=true, review, commit)");
  }

  private static String read(Class<?> test, String resource) {
    try (InputStream in = test.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
