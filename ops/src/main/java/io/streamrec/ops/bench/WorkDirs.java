package io.streamrec.ops.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh per-run state directories under a benchmark's work directory. */
final class WorkDirs {
  private WorkDirs() {}

  /**
   * A new, empty directory {@code <workDir>/<prefix>-<random>} (the work directory is created if
   * missing).
   */
  static Path fresh(Path workDir, String prefix) {
    try {
      Files.createDirectories(workDir);
      return Files.createTempDirectory(workDir, prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
