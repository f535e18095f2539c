package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compares {@code topology.describe()} with the committed golden file, so that a renamed or added node shows up in
 * review. To accept a deliberate change: run with {@code -Dstreamrec.golden.update=true} and commit the file.
 */
class IngestTopologyDescriptionTest {
    private static final String GOLDEN = "io/streamrec/streams/ingest/ingest-topology.txt";

    @Test
    void shouldMatchGoldenDescription() throws IOException {
        IngestConfig config = IngestConfig.load(null, Map.of(), Map.of());
        String actual = IngestTopology.build(config, new SimpleMeterRegistry()).describe().toString();
        if (Boolean.getBoolean("streamrec.golden.update")) {
            Path file = Path.of("src/test/resources").resolve(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        String golden;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(GOLDEN)) {
            assertThat(in).as("golden file " + GOLDEN).isNotNull();
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(golden);
    }

    @Test
    void shouldNameEveryNodeExplicitly() {
        IngestConfig config = IngestConfig.load(null, Map.of(), Map.of());
        String described = IngestTopology.build(config, new SimpleMeterRegistry()).describe().toString();
        assertThat(described).doesNotContain("KSTREAM-").doesNotContain("KTABLE-")
                .contains("user-state-store", "source-ratings", "filter-min-user-count", "sink-dead-letters",
                        "sink-training-examples", "ratings-by-user-repartition");
    }
}
