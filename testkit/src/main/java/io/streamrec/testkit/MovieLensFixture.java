package io.streamrec.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find MovieLens-100k: the {@code streamrec.movielens.dir} system property (Maven passes it; {@code .ci/run}
 * points it to {@code ../shared/data/ml-100k}), else the {@code STREAMREC_MOVIELENS_DIR} environment variable.
 * The data set is never committed; without it, tests that need it are skipped with a message saying so.
 */
public final class MovieLensFixture {
  public static final String PROPERTY = "streamrec.movielens.dir";
  public static final String ENV = "STREAMREC_MOVIELENS_DIR";

  private MovieLensFixture() {}

  /** The ML-100k directory (holding {@code u.data}), or the test is skipped (JUnit assumption). */
  public static Path ml100kOrSkip() {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv(ENV);
    }
    boolean ok = dir != null && !dir.isBlank() && Files.isRegularFile(Path.of(dir, "u.data"));
    Assumptions.assumeTrue(ok, () -> "MovieLens-100k not found (set -D" + PROPERTY + "=DIR or " + ENV
        + " to a folder with u.data); skipping this dataset test");
    return Path.of(dir);
  }
}
