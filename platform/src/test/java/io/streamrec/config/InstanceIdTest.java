package io.streamrec.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InstanceIdTest {

  @Test
  void shouldKeepTheIdWhenOneIsGiven() {
    assertThat(InstanceId.resolve(" ingest-a ", "app", Path.of("/x"))).isEqualTo("ingest-a");
  }

  @Test
  void shouldDeriveAStableIdWhenNoneIsGiven() {
    String a = InstanceId.derive("streamrec-ingest", "Node_1", Path.of("/var/lib/streamrec/state"));
    assertThat(a)
        .isEqualTo(
            InstanceId.derive("streamrec-ingest", "Node_1", Path.of("/var/lib/streamrec/./state")))
        .startsWith("streamrec-ingest-node-1-")
        .hasSize("streamrec-ingest-node-1-".length() + 8);
    assertThat(
            InstanceId.derive("streamrec-ingest", "Node_1", Path.of("/var/lib/streamrec/state2")))
        .isNotEqualTo(a);
    assertThat(InstanceId.derive("streamrec-ingest", "node-2", Path.of("/var/lib/streamrec/state")))
        .isNotEqualTo(a);
    assertThat(InstanceId.resolve("", "app", Path.of("/x")))
        .isEqualTo(InstanceId.resolve(null, "app", Path.of("/x")));
  }
}
