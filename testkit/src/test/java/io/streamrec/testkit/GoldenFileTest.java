package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class GoldenFileTest {
  @Test
  void shouldPassWhenTheOutputEqualsTheCommittedFile() {
    GoldenFile.assertMatches(GoldenFileTest.class, "golden-sample.txt", "line one\nline two\n");
  }

  @Test
  void shouldFailWithBothTextsWhenTheOutputDiffers() {
    assertThatThrownBy(
            () -> GoldenFile.assertMatches(GoldenFileTest.class, "golden-sample.txt", "line one\n"))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("golden file io/streamrec/testkit/golden-sample.txt")
        .hasMessageContaining(GoldenFile.UPDATE_PROPERTY)
        .satisfies(
            e ->
                assertThat(((AssertionFailedError) e).getExpected().getStringRepresentation())
                    .isEqualTo("line one\nline two\n"));
  }
}
