package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.testkit.GoldenFile;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TopologyDescription;
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

  @Test
  void shouldKeepBothCountingNodesAndTheStoreInOneSubTopologyWhenTheStoreIsShared() {
    IngestConfig config = IngestConfig.load(null, Map.of(), Map.of());
    TopologyDescription d = IngestTopology.build(config, new SimpleMeterRegistry()).describe();
    assertThat(d.subtopologies()).hasSize(1);
    Set<String> withStore =
        d.subtopologies().iterator().next().nodes().stream()
            .filter(n -> n instanceof TopologyDescription.Processor)
            .filter(
                n -> ((TopologyDescription.Processor) n).stores().contains(MinCountProcessor.STORE))
            .map(TopologyDescription.Node::name)
            .collect(Collectors.toSet());
    assertThat(withStore)
        .containsExactlyInAnyOrder(
            IngestTopology.DECODE_VALIDATE, IngestTopology.FILTER_MIN_USER_COUNT);
  }
}
