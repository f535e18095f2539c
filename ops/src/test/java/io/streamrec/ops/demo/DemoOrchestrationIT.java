package io.streamrec.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.eval.Baselines;
import io.streamrec.ops.eval.HoldoutEvaluator;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's orchestration (child-JVM broker, topics, replay, catch-up wait, evaluation, shutdown)
 * with a stand-in for the services that serves the popularity baseline: the evaluator must then
 * report exactly the baseline's numbers, which checks request/response collection end to end.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class DemoOrchestrationIT {

  @Test
  void shouldRunTheDemoPipelineAndScoreWhatServingAnswers(@TempDir Path tmp) throws Exception {
    Path data = MovieLensFixture.ml100kOrSkip();
    TutorialSplit.Split split = TutorialSplit.apply(MovieLens.load(data));
    Map<String, List<String>> popular =
        Baselines.popularity(split, split.groundTruth().keySet(), 10);
    ServiceLauncher fake =
        new ServiceLauncher() {
          @Override
          public RunningServices start(Settings s) {
            return new FakeServing(s.bootstrap(), s.suffix(), popular::get, Set.of());
          }

          @Override
          public int ratingsConsumerGroups() {
            return 0;
          }
        };
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Demo.Settings settings =
        new Demo.Settings(
            Demo.BrokerMode.CHILD_JVM,
            null,
            "",
            data,
            42,
            tmp.resolve("out"),
            tmp.resolve("work"),
            Duration.ofSeconds(60),
            Duration.ofMillis(500),
            Duration.ofSeconds(60),
            Map.of());
    Demo.Outcome o =
        Demo.run(settings, fake, new PrintStream(console, true, StandardCharsets.UTF_8));

    assertThat(o.result().splitMatchesTutorial()).isTrue();
    assertThat(o.replay().ratingsSent()).isEqualTo(79_999);
    TutorialReport.Row system = o.result().rows().get(0);
    TutorialReport.Row popularity =
        o.result().rows().stream()
            .filter(r -> r.name().equals("popularity"))
            .findFirst()
            .orElseThrow();
    assertThat(system.ndcg()).isCloseTo(popularity.ndcg(), within(1e-12));
    assertThat(system.hitRate()).isCloseTo(popularity.hitRate(), within(1e-12));
    assertThat(system.coverage()).isCloseTo(popularity.coverage(), within(1e-12));
    assertThat(o.result().details())
        .containsEntry("answers", 95)
        .containsEntry("train items in lists", 0)
        .containsEntry("lists shorter than k", 0);
    assertThat(o.phaseSeconds())
        .containsKeys("broker", "replay", "catch-up", "evaluate", "shutdown");
    assertThat(tmp.resolve("out/results.html")).content().contains("<svg").contains("NDCG@10");
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains(
            "train interactions",
            "(tutorial: same)",
            "| StreamRec |",
            "| tutorial (two-tower, 30 epochs) | 0.0345 | 0.221 | 0.191 |");
  }

  @Test
  @SuppressWarnings(
      "try") // the fake serving answers while it is open; the test talks to it over Kafka
  void shouldNameTheUsersWithoutAnAnswer(EmbeddedKafkaBroker kafka) {
    String suffix = TestTopics.suffix();
    TopicAdmin.createAll(
        kafka.bootstrapServers(),
        List.of(
            Topics.RECOMMENDATION_REQUESTS.withSuffix(suffix),
            Topics.RECOMMENDATIONS.withSuffix(suffix)),
        (short) 1,
        Map.of());
    try (FakeServing serving =
        new FakeServing(kafka.bootstrapServers(), suffix, u -> List.of("1", "2"), Set.of("u3"))) {
      assertThat(
              HoldoutEvaluator.request(
                      kafka.bootstrapServers(),
                      suffix,
                      List.of("u1", "u2"),
                      10,
                      Duration.ofSeconds(30),
                      "run-a")
                  .lists())
          .containsOnlyKeys("u1", "u2")
          .containsEntry("u1", List.of("1", "2"));
      assertThatThrownBy(
              () ->
                  HoldoutEvaluator.request(
                      kafka.bootstrapServers(),
                      suffix,
                      List.of("u1", "u3"),
                      10,
                      Duration.ofSeconds(3),
                      "run-b"))
          .isInstanceOf(HoldoutEvaluator.MissingResponsesException.class)
          .hasMessageContaining("1 of 2 users got no answer")
          .hasMessageContaining("[u3]");
    }
  }
}
