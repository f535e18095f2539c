package io.streamrec.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLetterReasonTest {
  @Test
  void shouldRoundTripEveryTagWhenLookedUp() {
    for (final DeadLetterReason r : DeadLetterReason.values()) {
      assertThat(DeadLetterReason.ofTag(r.tag())).isSameAs(r);
      assertThat(r.tag()).matches("[a-z]+(-[a-z]+)*");
    }
    assertThat(
            Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::tag).distinct().count())
        .isEqualTo(DeadLetterReason.values().length);
  }

  @Test
  void shouldNameTheKnownTagsWhenTagIsUnknown() {
    assertThatThrownBy(() -> DeadLetterReason.ofTag("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("undecodable");
  }
}
