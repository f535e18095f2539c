package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.testkit.GoldenFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compares {@code topology.describe()} with the committed golden file, so that a renamed or added
 * node shows up in review ({@link GoldenFile}: to accept a deliberate change, run with {@code
 * -Dstreamrec.golden.update=true}, review and commit the file).
 */
class IngestTopologyDescriptionTest {
  @Test
  void shouldMatchGoldenDescription() {
    IngestConfig config = IngestConfig.load(null, Map.of(), Map.of());
    String actual = IngestTopology.build(config, new SimpleMeterRegistry()).describe().toString();
    GoldenFile.assertMatches(IngestTopologyDescriptionTest.class, "ingest-topology.txt", actual);
  }

  @Test
  void shouldNameEveryNodeExplicitly() {
    IngestConfig config = IngestConfig.load(null, Map.of(), Map.of());
    String described =
        IngestTopology.build(config, new SimpleMeterRegistry()).describe().toString();
    assertThat(described)
        .doesNotContain("KSTREAM-")
        .doesNotContain("KTABLE-")
        .contains(
            "user-state-store",
            "source-ratings",
            "filter-min-user-count",
            "sink-dead-letters",
            "sink-training-examples",
            "ratings-by-user-repartition");
  }
}
