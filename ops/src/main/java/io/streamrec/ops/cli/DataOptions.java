package io.streamrec.ops.cli;

import io.streamrec.ops.UserError;
import io.streamrec.ops.replay.DatasetCache;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where MovieLens comes from: {@code --data DIR}, else the local cache, else a verified download.
 */
public final class DataOptions {
  /** The environment variable {@code --data} defaults to. */
  public static final String ENV = "STREAMREC_MOVIELENS_DIR";

  @Option(
      names = "--data",
      defaultValue = "${env:STREAMREC_MOVIELENS_DIR}",
      description =
          "MovieLens directory (u.data, ratings.dat or ratings.csv); default: $STREAMREC_MOVIELENS_DIR, "
              + "else the cache, else a checksum-verified download.")
  Path data;

  @Option(
      names = "--dataset",
      defaultValue = "ml-100k",
      description =
          "Data set to find in the cache or download when --data is not given (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(
      names = "--data-url",
      description = "Download URL (default: the official GroupLens zip of --dataset).")
  String url;

  @Option(
      names = "--sha256",
      description = "Expected SHA-256 of the download (default: the known checksum).")
  String sha256;

  @Option(
      names = "--cache-dir",
      description =
          "Cache root (default: ~/.streamrec/data, then ./.streamrec/data, then ../shared/data).")
  Path cacheDir;

  /**
   * The data directory, downloading into the cache if needed. A {@code --data} directory without a
   * ratings file, or a cache miss whose download fails, is a {@link UserError} that says where it
   * looked and how to point at a copy.
   */
  public Path resolve(PrintStream out) {
    if (data != null) {
      return requireRatings(data, data.toString().equals(System.getenv(ENV)) ? ENV : "--data");
    }
    List<Path> roots = cacheDir != null ? List.of(cacheDir) : DatasetCache.defaultRoots();
    return new DatasetCache(roots, out).resolve(dataset, url, sha256);
  }

  /**
   * {@code dir} when it holds a MovieLens ratings file, else a one-line error naming {@code
   * source}.
   */
  static Path requireRatings(Path dir, String source) {
    String problem =
        !Files.exists(dir)
            ? "no such directory"
            : !Files.isDirectory(dir)
                ? "not a directory"
                : DatasetCache.holdsRatings(dir)
                    ? null
                    : "no u.data, ratings.dat or ratings.csv in it";
    if (problem != null) {
      throw new UserError(
          "No MovieLens data at "
              + dir.toAbsolutePath()
              + " ("
              + source
              + "): "
              + problem
              + ". Point --data or "
              + ENV
              + " at a MovieLens folder (for example an unzipped ml-100k).");
    }
    return dir;
  }

  /** Set programmatically (the demo). */
  public DataOptions withData(Path dir) {
    this.data = dir;
    return this;
  }
}
