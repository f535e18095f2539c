package io.streamrec.ops.replay;

import io.streamrec.ops.UserError;
import io.streamrec.ops.cli.DataOptions;
import io.streamrec.ops.eval.MovieLens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Finds a MovieLens data set in a local cache, or downloads the official GroupLens zip, verifies
 * its SHA-256 before anything is unpacked, and unzips it into the cache. A failed download or
 * checksum leaves nothing in the cache.
 *
 * <p>Cache directories searched, in order: {@code ~/.streamrec/data/<name>}, then {@code
 * ./.streamrec/data/<name>}; downloads go to the first one.
 */
public final class DatasetCache {

  /**
   * Data sets with a known download. The sizes and SHA-256 sums are those TensorFlow Datasets pins
   * for the same GroupLens URLs ({@code tensorflow_datasets/url_checksums/movielens.txt}); a
   * changed file fails verification.
   *
   * @param dirName directory the zip unpacks to (its top-level folder)
   * @param url the official download
   * @param sha256 lower-case hex SHA-256 of the zip
   * @param sizeBytes the zip's size
   */
  public record Known(String dirName, String url, String sha256, long sizeBytes) {}

  private static final String BASE = "https://files.grouplens.org/datasets/movielens/";

  public static final List<Known> KNOWN =
      List.of(
          new Known(
              "ml-100k",
              BASE + "ml-100k.zip",
              "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
              4_924_029L),
          new Known(
              "ml-1m",
              BASE + "ml-1m.zip",
              "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
              5_917_549L),
          new Known(
              "ml-20m",
              BASE + "ml-20m.zip",
              "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3",
              198_702_078L),
          new Known(
              "ml-25m",
              BASE + "ml-25m.zip",
              "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa",
              261_978_986L));

  private final List<Path> roots;
  private final PrintStream out;

  /**
   * @param roots cache roots to search, in order; the first one receives downloads
   */
  public DatasetCache(List<Path> roots, PrintStream out) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one cache root");
    }
    this.roots = List.copyOf(roots);
    this.out = out;
  }

  /** {@code ~/.streamrec/data} then {@code ./.streamrec/data}. */
  public static List<Path> defaultRoots() {
    // ../shared/data: the data folder the team's dev machines and CI keep beside the checkout
    // (never committed).
    return List.of(
        Path.of(System.getProperty("user.home"), ".streamrec", "data"),
        Path.of(".streamrec", "data"),
        Path.of("..", "shared", "data"));
  }

  public static Optional<Known> known(String name) {
    return KNOWN.stream().filter(k -> k.dirName().equals(name)).findFirst();
  }

  /** A cached copy of {@code name} (a directory holding a MovieLens ratings file), if any. */
  public Optional<Path> find(String name) {
    for (Path root : roots) {
      Path dir = root.resolve(name);
      if (holdsRatings(dir)) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /**
   * The cached data set, downloading it first when missing.
   *
   * @param name directory name (e.g. {@code ml-100k})
   * @param url where to download from; null = the official URL of a {@link #KNOWN} data set
   * @param sha256 expected SHA-256 (hex); null = the known checksum. A download without any
   *     checksum is refused.
   */
  public Path resolve(String name, String url, String sha256) {
    Optional<Path> cached = find(name);
    if (cached.isPresent()) {
      return cached.get();
    }
    Optional<Known> k = known(name);
    String from =
        url != null
            ? url
            : k.map(Known::url)
                .orElseThrow(
                    () ->
                        new UserError(
                            "No copy of "
                                + name
                                + " in "
                                + looked(name)
                                + " and no known download for it; point --data or "
                                + DataOptions.ENV
                                + " at a copy, or pass --data-url URL"));
    String expected =
        sha256 != null
            ? sha256
            : k.map(Known::sha256)
                .orElseThrow(
                    () ->
                        new UserError(
                            "No known SHA-256 for "
                                + name
                                + "; pass --sha256 HEX to verify the download from "
                                + from));
    try {
      return download(name, URI.create(from), expected.toLowerCase(Locale.ROOT));
    } catch (UncheckedIOException | IllegalStateException e) {
      String why =
          e.getCause() != null && !(e instanceof IllegalStateException)
              ? describe(e.getCause())
              : e.getMessage();
      throw new UserError(
          "MovieLens "
              + name
              + " is not in "
              + looked(name)
              + " and the download from "
              + from
              + " failed ("
              + why
              + "). Point --data or "
              + DataOptions.ENV
              + " at a copy (a folder with u.data,"
              + " ratings.dat or ratings.csv), or check the network.",
          e);
    }
  }

  /** The cache folders searched for {@code name}, for messages. */
  private String looked(String name) {
    return String.join(
        ", ",
        roots.stream().map(r -> r.resolve(name).toAbsolutePath().normalize().toString()).toList());
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private Path download(String name, URI uri, String expectedSha) {
    Path root = roots.get(0);
    Path firstCreated = firstMissing(root);
    Path zip = null;
    Path staging = null;
    boolean done = false;
    try {
      Files.createDirectories(root);
      zip = Files.createTempFile(root, name + "-", ".zip.part");
      out.printf("Downloading %s to %s ...%n", uri, root);
      HttpClient http =
          HttpClient.newBuilder()
              .followRedirects(HttpClient.Redirect.NORMAL)
              .connectTimeout(Duration.ofSeconds(20))
              .build();
      HttpResponse<InputStream> resp =
          http.send(
              HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() != 200) {
        resp.body().close();
        throw new IllegalStateException(
            "Download of " + uri + " failed: HTTP " + resp.statusCode());
      }
      String actual;
      try (InputStream in =
              new DigestInputStream(resp.body(), MessageDigest.getInstance("SHA-256"));
          OutputStream os = Files.newOutputStream(zip)) {
        in.transferTo(os);
        actual = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
      }
      if (!actual.equals(expectedSha)) {
        throw new IllegalStateException(
            "Checksum mismatch for "
                + uri
                + ": expected SHA-256 "
                + expectedSha
                + ", got "
                + actual
                + ". Nothing was cached; check the URL or pass the right --sha256.");
      }
      staging = Files.createTempDirectory(root, name + "-unzip-");
      unzip(zip, staging);
      Path dataDir =
          locateRatings(staging)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "The zip from "
                              + uri
                              + " holds no MovieLens ratings file (u.data, ratings.dat or ratings.csv)"));
      Path target = root.resolve(name);
      Files.move(dataDir, target, StandardCopyOption.ATOMIC_MOVE);
      out.printf("Verified SHA-256 %s; unpacked into %s%n", actual, target);
      done = true;
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot download " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while downloading " + uri, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      deleteQuietly(zip);
      deleteQuietly(staging);
      if (!done) {
        deleteEmptyDirs(root, firstCreated);
      }
    }
  }

  /**
   * The outermost directory of {@code dir}'s ancestry (itself included) that does not exist yet, or
   * null.
   */
  private static Path firstMissing(Path dir) {
    Path missing = null;
    for (Path p = dir.toAbsolutePath().normalize();
        p != null && !Files.exists(p);
        p = p.getParent()) {
      missing = p;
    }
    return missing;
  }

  /**
   * After a failed download: removes the directories this attempt created, from {@code root} up to
   * {@code top}.
   */
  private static void deleteEmptyDirs(Path root, Path top) {
    if (top == null) {
      return;
    }
    for (Path p = root.toAbsolutePath().normalize();
        p != null && p.startsWith(top);
        p = p.getParent()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException notEmpty) {
        return;
      }
    }
  }

  private static void unzip(Path zip, Path into) throws IOException {
    Path base = into.toAbsolutePath().normalize();
    try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(zip))) {
      ZipEntry e;
      while ((e = zin.getNextEntry()) != null) {
        Path target = base.resolve(e.getName()).normalize();
        if (!target.startsWith(base)) {
          throw new IOException("Zip entry escapes the target directory: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zin, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static Optional<Path> locateRatings(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir, 3)) {
      List<Path> dirs =
          new ArrayList<>(s.filter(Files::isDirectory).filter(DatasetCache::holdsRatings).toList());
      dirs.sort(Comparator.comparingInt(Path::getNameCount));
      return dirs.stream().findFirst();
    }
  }

  /** Whether {@code dir} holds a MovieLens ratings file. */
  public static boolean holdsRatings(Path dir) {
    try {
      MovieLens.detect(dir);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a leftover temp file never looks like a cached data set (wrong name)
    }
  }
}
