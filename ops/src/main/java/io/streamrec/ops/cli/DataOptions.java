package io.streamrec.ops.cli;

import io.streamrec.ops.replay.DatasetCache;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where MovieLens comes from: {@code --data DIR}, else the local cache, else a verified download. */
public final class DataOptions {
  @Option(names = "--data", defaultValue = "${env:STREAMREC_MOVIELENS_DIR}",
      description = "MovieLens directory (u.data, ratings.dat or ratings.csv); default: $STREAMREC_MOVIELENS_DIR, "
          + "else the cache, else a checksum-verified download.")
  Path data;

  @Option(names = "--dataset", defaultValue = "ml-100k",
      description = "Data set to find in the cache or download when --data is not given (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--data-url", description = "Download URL (default: the official GroupLens zip of --dataset).")
  String url;

  @Option(names = "--sha256", description = "Expected SHA-256 of the download (default: the known checksum).")
  String sha256;

  @Option(names = "--cache-dir",
      description = "Cache root (default: ~/.streamrec/data, then ./.streamrec/data, then ../shared/data).")
  Path cacheDir;

  /** The data directory, downloading into the cache if needed. */
  public Path resolve(PrintStream out) {
    if (data != null) {
      return data;
    }
    List<Path> roots = cacheDir != null ? List.of(cacheDir) : DatasetCache.defaultRoots();
    return new DatasetCache(roots, out).resolve(dataset, url, sha256);
  }

  /** Set programmatically (the demo). */
  public DataOptions withData(Path dir) {
    this.data = dir;
    return this;
  }
}
