package io.streamrec.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.cli.ReplayCommand;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.HeadlessChromium;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page at {@code /} in headless Chromium against the real services (ingest, serving,
 * trainer in-process, as the demo runs them) on the embedded broker while MovieLens-100k replays: a
 * top-10 with titles from {@code u.item} appears, the list changes as events arrive, a personalised
 * list with a model version shows up, and the plots draw. Skips where Chromium or the data set is
 * missing. Leaves a screenshot in {@code target/live-page.png}.
 */
@Tag("integration")
@Timeout(600)
@ExtendWith(EmbeddedKafkaExtension.class)
class LivePageIT {
  private static final String ROWS = "document.querySelectorAll('#list tbody tr').length";
  private static final String TITLES =
      "Array.from(document.querySelectorAll('#list tbody td.title')," + " td => td.textContent)";
  private static final String CHANGES =
      "Number(document.getElementById('status').dataset.listChanges)";
  private static final String POLLS = "Number(document.getElementById('status').dataset.polls)";

  @Test
  void shouldShowATop10WithTitlesThatUpdatesWhileMovieLensReplays(
      EmbeddedKafkaBroker kafka, @TempDir Path tmp) throws Exception {
    Path data = MovieLensFixture.ml100kOrSkip();
    try (HeadlessChromium browser = HeadlessChromium.startOrSkip(tmp)) {
      String suffix = TestTopics.suffix();
      List<TopicSpec<?, ?>> topics = new ArrayList<>();
      for (TopicSpec<?, ?> spec : Topics.all()) {
        topics.add(spec.withSuffix(suffix));
      }
      TopicAdmin.createAll(kafka.bootstrapServers(), topics, (short) 1, Map.of());
      try (ServiceLauncher.RunningServices services =
          new InProcessServiceLauncher()
              .start(
                  new ServiceLauncher.Settings(
                      kafka.bootstrapServers(),
                      suffix,
                      tmp.resolve("state"),
                      1L,
                      Map.of("serving.movielens.dir", data.toString())))) {
        browser.navigate(services.servingUrl() + "?user=1&every=500");
        assertThat(browser.evaluate("document.title").asText()).isEqualTo("StreamRec live");

        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        CompletableFuture<Replayer.Summary> replay =
            CompletableFuture.supplyAsync(
                () ->
                    ReplayCommand.run(
                        data,
                        Replayer.Settings.fastest(kafka.bootstrapServers(), suffix),
                        TutorialSplit.TEST_FRACTION,
                        TutorialSplit.MIN_USER_COUNT,
                        out,
                        false));

        // a full top-10, every row titled from u.item (an untitled row would read "item <id>")
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () -> {
                  assertThat(eval(browser, ROWS).asInt()).isEqualTo(10);
                  assertThat(strings(eval(browser, TITLES)))
                      .hasSize(10)
                      .allSatisfy(
                          t -> assertThat(t).doesNotStartWith("item ").matches(".*\\(\\d{4}\\)$"));
                });
        List<String> first = strings(eval(browser, TITLES));
        int changesAtFirst = eval(browser, CHANGES).asInt();

        // it updates: the shown list changes while events flow, and the trainer's embeddings make
        // it personal
        await()
            .atMost(Duration.ofSeconds(300))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () -> {
                  assertThat(eval(browser, CHANGES).asInt()).isGreaterThan(changesAtFirst);
                  assertThat(eval(browser, "document.getElementById('kind').textContent").asText())
                      .isEqualTo("personalised");
                  assertThat(
                          eval(browser, "document.getElementById('model-version').textContent")
                              .asText())
                      .matches("\\d+");
                });
        assertThat(strings(eval(browser, TITLES))).hasSize(10).isNotEqualTo(first);
        assertThat(
                eval(browser, "document.getElementById('embedding-event-time').textContent")
                    .asText())
            .matches("\\d{4}-\\d\\d-\\d\\d .*UTC");
        assertThat(eval(browser, "document.getElementById('error').textContent").asText())
            .isEmpty();
        // the plots draw from /stats: lines in the throughput and freshness charts, a reading in
        // the lag chart.
        // A freshness point needs two /stats polls with a personalised answer between them, so the
        // first
        // personalised poll may come one poll before it: wait for it rather than race it.
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .untilAsserted(
                () -> {
                  assertThat(
                          eval(
                                  browser,
                                  "document.querySelectorAll('#plot-throughput polyline').length")
                              .asInt())
                      .isPositive();
                  assertThat(
                          eval(
                                  browser,
                                  "document.querySelectorAll('#plot-freshness polyline').length")
                              .asInt())
                      .isPositive();
                  assertThat(
                          eval(browser, "document.querySelector('#plot-lag .head b').textContent")
                              .asText())
                      .matches("[\\d,]+.*");
                  assertThat(eval(browser, POLLS).asInt()).isGreaterThan(2);
                });

        // picking another user shows that user's list
        browser.evaluate(
            "document.getElementById('user').value = '2';"
                + " document.getElementById('pick').requestSubmit(); true");
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(eval(browser, "location.search").asText()).contains("user=2");
                  assertThat(eval(browser, ROWS).asInt()).isEqualTo(10);
                  assertThat(
                          eval(browser, "document.getElementById('status').textContent").asText())
                      .startsWith("user 2 ");
                });
        screenshot(browser, tmp);
        replay.get(300, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonNode eval(HeadlessChromium browser, String js) {
    try {
      return browser.evaluate(js);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** For a person to look at; the build directory of this module. */
  private static void screenshot(HeadlessChromium browser, Path tmp) throws IOException {
    Path target = Path.of("target");
    browser.screenshot(
        Files.isDirectory(target) ? target.resolve("live-page.png") : tmp.resolve("live-page.png"));
  }
}
