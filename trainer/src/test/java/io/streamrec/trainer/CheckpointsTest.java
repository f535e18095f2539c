package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.OnlineLearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

  private static LearnerSettings settings() {
    return LearnerSettings.defaults()
        .with(
            b -> {
              b.batchSize = 64;
              b.newPerStep = 32;
              b.seed = 9;
            });
  }

  private static void train(OnlineLearner l, int from, int to) {
    for (int i = from; i < to; i++) {
      l.learn("u" + (i % 17), "i" + (i * 7 % 41), 4f, 1_000L + i);
    }
    l.flush();
  }

  @Test
  void shouldScoreIdenticallyAndKeepTrainingWhenRestored(@TempDir Path dir) throws Exception {
    Checkpoints cps = new Checkpoints(dir, 2);
    try (OnlineLearner a = new OnlineLearner(settings())) {
      train(a, 0, 600);
      a.trainIdle(10);
      cps.write(7, 600, true, Map.of("topic:0", 600L), a.state());
      Checkpoints.Snapshot snap = cps.loadNewest().orElseThrow();
      assertThat(snap.modelVersion()).isEqualTo(7);
      assertThat(snap.examplesTrained()).isEqualTo(600);
      assertThat(snap.offsets()).containsEntry("topic:0", 600L);
      try (OnlineLearner b = new OnlineLearner(settings())) {
        b.restore(snap.learner());
        for (int u = 0; u < 17; u++) {
          List<OnlineLearner.Scored> ta = a.scoreTopK("u" + u, 10, Set.of());
          assertThat(b.scoreTopK("u" + u, 10, Set.of())).isEqualTo(ta);
          assertThat(b.userVector("u" + u)).containsExactly(a.userVector("u" + u));
        }
        assertThat(b.itemBias()).containsExactly(a.itemBias());
        assertThat(b.itemIds()).isEqualTo(a.itemIds());
        assertThat(b.steps()).isEqualTo(a.steps());
        // The optimizer state (Adam moments) and the event times came back too.
        assertThat(b.userTable().state().m1()).containsExactly(a.userTable().state().m1());
        assertThat(b.itemTable().state().m2()).containsExactly(a.itemTable().state().m2());
        assertThat(b.itemTable().state().eventTime())
            .containsExactly(a.itemTable().state().eventTime());
        train(b, 600, 700);
        assertThat(b.userCount()).isEqualTo(17);
        assertThat(b.examples()).isEqualTo(700);
      }
    }
  }

  @Test
  void shouldFallBackToThePreviousCheckpointWhenTheNewestIsTorn(@TempDir Path dir)
      throws Exception {
    Checkpoints cps = new Checkpoints(dir, 3);
    try (OnlineLearner a = new OnlineLearner(settings())) {
      train(a, 0, 100);
      cps.write(1, 100, true, Map.of("t:0", 100L), a.state());
      train(a, 100, 200);
      Path newest = cps.write(2, 200, true, Map.of("t:0", 200L), a.state());
      byte[] bytes = Files.readAllBytes(newest);
      Files.write(newest, Arrays.copyOf(bytes, bytes.length / 2));
      // A leftover temp file from a crash mid-write is ignored as well.
      Files.write(dir.resolve(".checkpoint-00000000000000000009.bin.tmp"), new byte[] {1, 2, 3});
      Checkpoints.Snapshot snap = cps.loadNewest().orElseThrow();
      assertThat(snap.modelVersion()).isEqualTo(1);
      assertThat(snap.offsets()).containsEntry("t:0", 100L);
    }
  }

  @Test
  void shouldKeepOnlyTheNewestWhenCheckpointsAccumulate(@TempDir Path dir) {
    Checkpoints cps = new Checkpoints(dir, 2);
    try (OnlineLearner a = new OnlineLearner(settings())) {
      train(a, 0, 50);
      for (int v = 1; v <= 4; v++) {
        cps.write(v, 50, true, Map.of(), a.state());
      }
      assertThat(cps.list()).hasSize(2);
      assertThat(cps.loadNewest().orElseThrow().modelVersion()).isEqualTo(4);
    }
  }
}
