package io.streamrec.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.config.MainArgs;
import io.streamrec.metrics.MetricsServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamsMainTest {

  @Test
  void shouldParseConfigFileAndKeyValueFlags() {
    MainArgs a =
        StreamsMain.parseArgs(
            new String[] {
              "--config", "x.properties", "--ingest.min.user.interactions=5", "--topics.suffix="
            });
    assertThat(a.configFile()).isEqualTo(Path.of("x.properties"));
    assertThat(a.overrides())
        .containsExactly(
            Map.entry("ingest.min.user.interactions", "5"), Map.entry("topics.suffix", ""));
    assertThat(StreamsMain.parseArgs(new String[] {"--config=y"}).configFile())
        .isEqualTo(Path.of("y"));
  }

  @Test
  void shouldRejectStrayArguments() {
    assertThatThrownBy(() -> StreamsMain.parseArgs(new String[] {"ingest"}))
        .hasMessageContaining("usage");
    assertThatThrownBy(() -> StreamsMain.parseArgs(new String[] {"--config"}))
        .hasMessageContaining("--config");
  }

  @Test
  void shouldParseRoles() {
    assertThat(StreamsMain.parseRoles(" Ingest, serving,ingest "))
        .containsExactly("ingest", "serving");
    assertThatThrownBy(() -> StreamsMain.parseRoles("ingest,trainer"))
        .hasMessageContaining("Unknown role 'trainer'");
    assertThatThrownBy(() -> StreamsMain.parseRoles(" , ")).hasMessageContaining("streams.roles");
  }

  @Test
  void shouldRejectAnInvalidServingConfigBeforeStartingIt() {
    MainArgs args = new MainArgs(null, Map.of("serving.k", "0"));
    assertThatThrownBy(
            () -> StreamsMain.startRole("serving", args, MetricsServer.newRegistry(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serving.k");
  }

  @Test
  void shouldRejectServingHttpPortBeforeStartingAnythingWhenServingRunsUnderStreamsMain() {
    MainArgs args =
        new MainArgs(
            null,
            Map.of("streams.roles", "serving", "metrics.port", "0", "serving.http.port", "8082"));
    assertThatThrownBy(() -> StreamsMain.run(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "serving.http.port is not used by StreamsMain: serving answers on the process"
                + " endpoint, metrics.port (0); remove serving.http.port or set metrics.port"
                + " instead");
  }

  @Test
  void shouldExitWithConfigErrorBeforeStartingAnythingWhenRolesAreUnknown() {
    MainArgs args = new MainArgs(null, Map.of("streams.roles", "bogus", "metrics.port", "0"));
    assertThatThrownBy(() -> StreamsMain.run(args)).hasMessageContaining("Unknown role 'bogus'");
  }
}
