package io.streamrec.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class MovieLensFixtureTest {
  @TempDir Path dir;
  private String savedDir;
  private String savedRequired;

  @BeforeEach
  void save() {
    savedDir = System.getProperty(MovieLensFixture.PROPERTY);
    savedRequired = System.getProperty(MovieLensFixture.REQUIRED_PROPERTY);
  }

  @AfterEach
  void restore() {
    put(MovieLensFixture.PROPERTY, savedDir);
    put(MovieLensFixture.REQUIRED_PROPERTY, savedRequired);
  }

  @Test
  void shouldSkipWhenDataIsMissingAndNotRequired() {
    System.setProperty(MovieLensFixture.PROPERTY, dir.resolve("absent").toString());
    System.setProperty(MovieLensFixture.REQUIRED_PROPERTY, "false");
    TestAbortedException skipped =
        assertThrows(TestAbortedException.class, MovieLensFixture::ml100kOrSkip);
    assertTrue(skipped.getMessage().contains("skipping"), skipped.getMessage());
  }

  @Test
  void shouldFailWhenDataIsMissingAndRequired() {
    System.setProperty(MovieLensFixture.PROPERTY, dir.resolve("absent").toString());
    System.setProperty(MovieLensFixture.REQUIRED_PROPERTY, "true");
    IllegalStateException failed =
        assertThrows(IllegalStateException.class, MovieLensFixture::ml100kOrSkip);
    assertTrue(failed.getMessage().contains(dir.resolve("absent").toString()), failed.getMessage());
  }

  @Test
  void shouldReturnTheDirectoryWhenItHoldsTheRatings() throws Exception {
    Files.writeString(dir.resolve("u.data"), "1\t1\t5\t881250949\n");
    System.setProperty(MovieLensFixture.PROPERTY, dir.toString());
    System.setProperty(MovieLensFixture.REQUIRED_PROPERTY, "true");
    assertEquals(dir, MovieLensFixture.ml100kOrSkip());
  }

  private static void put(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
