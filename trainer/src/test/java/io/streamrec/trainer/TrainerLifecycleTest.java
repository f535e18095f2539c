package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.DeadLetterReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class TrainerLifecycleTest {

  @Test
  void shouldExitNonZeroWhenTheLoopFailsAndZeroWhenAStopIsRequested() {
    assertThat(TrainerMain.exitCode(Optional.of(new IllegalStateException("broker unreachable"))))
        .isEqualTo(1);
    assertThat(TrainerMain.exitCode(Optional.empty())).isZero();
  }

  @Test
  void shouldExitTwoWithOneLineAndNothingStartedWhenAnArgumentIsBad() throws Exception {
    AtomicInteger started = new AtomicInteger();
    List<ILoggingEvent> errors =
        errorsOf(
            () ->
                assertThat(
                        TrainerMain.launch(
                            new String[] {"--bogus"}, src -> started.incrementAndGet()))
                    .isEqualTo(2));
    assertThat(started).hasValue(0);
    assertThat(errors).singleElement().satisfies(TrainerLifecycleTest::isOneLineWithoutTrace);
    assertThat(errors.get(0).getFormattedMessage())
        .isEqualTo(
            "Configuration error: Unexpected argument '--bogus'; usage: " + TrainerMain.USAGE);
  }

  @Test
  void shouldExitTwoWithOneLineWhenAConfiguredValueIsBad() throws Exception {
    List<ILoggingEvent> errors =
        errorsOf(
            () ->
                assertThat(
                        TrainerMain.launch(
                            new String[] {"--set", "metrics.port=not-a-port"},
                            src -> {
                              TrainerConfig.load(src);
                              return 0;
                            }))
                    .isEqualTo(2));
    assertThat(errors).singleElement().satisfies(TrainerLifecycleTest::isOneLineWithoutTrace);
    assertThat(errors.get(0).getFormattedMessage())
        .startsWith("Configuration error: ")
        .contains("metrics.port", "not-a-port");
  }

  @Test
  void shouldExitOneWithTheStackTraceWhenTheServiceFails() throws Exception {
    List<ILoggingEvent> errors =
        errorsOf(
            () ->
                assertThat(
                        TrainerMain.launch(
                            new String[0],
                            src -> {
                              throw new IllegalStateException("broken");
                            }))
                    .isEqualTo(1));
    assertThat(errors)
        .singleElement()
        .satisfies(e -> assertThat(e.getThrowableProxy()).isNotNull());
  }

  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  /** The ERROR events {@code TrainerMain} logs while {@code body} runs. */
  private static List<ILoggingEvent> errorsOf(Body body) throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(TrainerMain.class);
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.start();
    logger.addAppender(list);
    try {
      body.run();
    } finally {
      logger.detachAppender(list);
    }
    return list.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
  }

  private static void isOneLineWithoutTrace(ILoggingEvent e) {
    assertThat(e.getFormattedMessage()).doesNotContain("\n");
    assertThat(e.getThrowableProxy()).isNull();
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
