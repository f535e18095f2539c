package io.streamrec.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.streamrec.ops.UserError;
import io.streamrec.ops.eval.MovieLens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download path against a local JDK HTTP server; nothing is fetched from the internet. */
class DatasetCacheTest {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private byte[] zip;
  private String url;
  private final PrintStream out =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @BeforeEach
  void serveZip() throws Exception {
    zip = tinyMovieLensZip();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/ml-tiny.zip",
        ex -> {
          requests.incrementAndGet();
          ex.sendResponseHeaders(200, zip.length);
          ex.getResponseBody().write(zip);
          ex.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/ml-tiny.zip";
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void shouldDownloadVerifyAndUnzipIntoTheCacheThenReuseIt(@TempDir Path cache) throws Exception {
    DatasetCache c = new DatasetCache(List.of(cache), out);
    Path dir = c.resolve("ml-tiny", url, sha256(zip));
    assertThat(dir).isEqualTo(cache.resolve("ml-tiny"));
    assertThat(MovieLens.load(dir).ratings()).hasSize(3);
    assertThat(c.resolve("ml-tiny", url, sha256(zip))).isEqualTo(dir);
    assertThat(requests).hasValue(1);
    try (var files = Files.list(cache)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("ml-tiny");
    }
  }

  @Test
  void shouldRefuseAWrongChecksumAndCacheNothing(@TempDir Path cache) throws Exception {
    DatasetCache c = new DatasetCache(List.of(cache), out);
    String wrong = "00".repeat(32);
    assertThatThrownBy(() -> c.resolve("ml-tiny", url, wrong))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("Checksum mismatch")
        .hasMessageContaining(wrong)
        .hasMessageContaining(sha256(zip));
    try (var files = Files.list(cache)) {
      assertThat(files.toList()).isEmpty();
    }
    assertThat(c.find("ml-tiny")).isEmpty();
  }

  @Test
  void shouldRefuseAnUnknownDataSetWithoutAChecksum(@TempDir Path cache) {
    DatasetCache c = new DatasetCache(List.of(cache), out);
    assertThatThrownBy(() -> c.resolve("ml-tiny", url, null)).hasMessageContaining("--sha256");
    assertThat(requests).hasValue(0);
    assertThat(DatasetCache.known("ml-100k"))
        .get()
        .extracting(DatasetCache.Known::sha256)
        .asString()
        .hasSize(64);
  }

  @Test
  void shouldSayWhereItLookedAndLeaveNoDirectoryWhenTheDownloadFails(@TempDir Path tmp) {
    Path root = tmp.resolve("home").resolve(".streamrec").resolve("data");
    DatasetCache c = new DatasetCache(List.of(root), out);
    server.stop(0);
    assertThatThrownBy(() -> c.resolve("ml-tiny", url, sha256(zip)))
        .isInstanceOf(UserError.class)
        .hasMessageContaining(root.resolve("ml-tiny").toString())
        .hasMessageContaining(url)
        .hasMessageContaining("--data")
        .hasMessageContaining("STREAMREC_MOVIELENS_DIR")
        .hasMessageNotContaining("null")
        .message()
        .doesNotContain("\n");
    assertThat(tmp.resolve("home")).doesNotExist();
  }

  private static byte[] tinyMovieLensZip() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(buf)) {
      z.putNextEntry(new ZipEntry("ml-tiny/"));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("ml-tiny/u.data"));
      z.write(
          "1\t10\t5\t881250949\n1\t11\t3\t881250950\n2\t10\t4\t881250951\n"
              .getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return buf.toByteArray();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
