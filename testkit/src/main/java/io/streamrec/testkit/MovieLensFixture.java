package io.streamrec.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find MovieLens-100k: the {@code streamrec.movielens.dir} system property (Maven
 * passes it; {@code .ci/run} points it to {@code ../shared/data/ml-100k}), else the {@code
 * STREAMREC_MOVIELENS_DIR} environment variable. The data set is never committed; without it, tests
 * that need it are skipped with a message saying so, unless {@code streamrec.movielens.required} is
 * {@code true} ({@code .ci/run} sets it): then they fail, so CI cannot stay green without running
 * the headline quality tests.
 */
public final class MovieLensFixture {
  public static final String PROPERTY = "streamrec.movielens.dir";
  public static final String ENV = "STREAMREC_MOVIELENS_DIR";
  public static final String REQUIRED_PROPERTY = "streamrec.movielens.required";

  private MovieLensFixture() {}

  /**
   * The ML-100k directory (holding {@code u.data}); when it is missing the test is skipped (JUnit
   * assumption), or fails with {@link IllegalStateException} when {@value #REQUIRED_PROPERTY} is
   * {@code true}.
   */
  public static Path ml100kOrSkip() {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv(ENV);
    }
    boolean ok = dir != null && !dir.isBlank() && Files.isRegularFile(Path.of(dir, "u.data"));
    String where = dir == null || dir.isBlank() ? "neither is set" : "looked in " + dir;
    String hint =
        "MovieLens-100k not found (set -D"
            + PROPERTY
            + "=DIR or "
            + ENV
            + " to a folder with u.data; "
            + where
            + ")";
    if (!ok && Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, "false"))) {
      throw new IllegalStateException(
          hint + " and -D" + REQUIRED_PROPERTY + "=true: dataset tests must run here");
    }
    Assumptions.assumeTrue(ok, () -> hint + "; skipping this dataset test");
    return Path.of(dir);
  }
}
