package io.streamrec.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void shouldDrawABarOnATerminalAndPlainLinesOtherwise() {
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    new Progress(new PrintStream(tty, true, StandardCharsets.UTF_8), true, 200).finish(100);
    assertThat(tty.toString(StandardCharsets.UTF_8))
        .startsWith("\r[" + "#".repeat(15) + " ".repeat(15) + "]")
        .contains(" 50.0% 100/200")
        .contains("events/s")
        .endsWith(System.lineSeparator());

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false, 200);
    p.update(10); // within the first 2 s: nothing
    p.finish(200);
    assertThat(log.toString(StandardCharsets.UTF_8))
        .doesNotContain("\r")
        .doesNotContain("#")
        .startsWith("replay: 200/200 events (100.0%)");
  }
}
