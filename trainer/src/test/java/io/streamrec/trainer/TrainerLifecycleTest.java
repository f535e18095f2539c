package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.DeadLetterReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerLifecycleTest {

  @Test
  void shouldExitNonZeroWhenTheLoopFailsAndZeroWhenAStopIsRequested() {
    assertThat(TrainerMain.exitCode(Optional.of(new IllegalStateException("broker unreachable"))))
        .isEqualTo(1);
    assertThat(TrainerMain.exitCode(Optional.empty())).isZero();
  }

  @Test
  void shouldCallAnEmptyIdInvalidWhenItDecodes() {
    Instant t = Instant.ofEpochMilli(1);
    assertThat(ExampleDecoder.validate(new TrainingExample("", "i", 4f, t, 1)))
        .isEqualTo(DeadLetterReason.INVALID_USER_ID);
    assertThat(ExampleDecoder.validate(new TrainingExample(" ", "i", 4f, t, 1)))
        .isEqualTo(DeadLetterReason.INVALID_USER_ID);
    assertThat(ExampleDecoder.validate(new TrainingExample("u", "", 4f, t, 1)))
        .isEqualTo(DeadLetterReason.INVALID_ITEM_ID);
    assertThat(ExampleDecoder.validate(new TrainingExample("u", "i", 4f, t, 1))).isNull();
  }

  @Test
  void shouldFailAtOnceWhenTheCheckpointDirectoryIsUnwritable(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(() -> new Checkpoints(file.resolve("ckpt"), 2).ensureWritable())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not writable");
    new Checkpoints(dir.resolve("ok"), 2).ensureWritable();
    assertThat(Files.list(dir.resolve("ok"))).isEmpty();
  }
}
