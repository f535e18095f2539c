package io.streamrec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainArgsTest {
  private static final String USAGE = "Main [--config FILE] [--KEY=VALUE | --set KEY=VALUE]...";

  @Test
  void shouldReadBothOverrideFormsAndAliasesInOrderWhenMixed() {
    MainArgs a =
        MainArgs.parse(
            new String[] {
              "--config",
              "x.properties",
              "--a.b=1",
              "--set",
              "c.d=2=3",
              "--device",
              "gpu",
              "--a.b=4"
            },
            USAGE,
            Map.of("--device", "trainer.device"));
    assertThat(a.configFile()).isEqualTo(Path.of("x.properties"));
    assertThat(a.overrides())
        .containsExactly(
            Map.entry("a.b", "4"), Map.entry("c.d", "2=3"), Map.entry("trainer.device", "gpu"));
    assertThat(a.help()).isFalse();
    assertThat(MainArgs.parse(new String[] {"--config=y", "-h"}, USAGE))
        .isEqualTo(new MainArgs(Path.of("y"), Map.of(), true));
  }

  @Test
  void shouldNameTheUsageWhenAnArgumentIsMalformed() {
    assertThatThrownBy(() -> MainArgs.parse(new String[] {"ingest"}, USAGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unexpected argument 'ingest'; usage: " + USAGE);
    assertThatThrownBy(() -> MainArgs.parse(new String[] {"--config"}, USAGE))
        .hasMessage("--config needs a value; usage: " + USAGE);
    assertThatThrownBy(() -> MainArgs.parse(new String[] {"--set", "novalue"}, USAGE))
        .hasMessage("--set expects key=value, got novalue");
    assertThatThrownBy(() -> MainArgs.parse(new String[] {"--=x"}, USAGE))
        .hasMessageStartingWith("Unexpected argument '--=x'");
  }
}
