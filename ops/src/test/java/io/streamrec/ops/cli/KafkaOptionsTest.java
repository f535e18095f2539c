package io.streamrec.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class KafkaOptionsTest {

  @Test
  void shouldDefaultToTheBootstrapOfEveryServiceDefaultsFile() throws IOException {
    for (String file :
        List.of(
            "streamrec-ingest.properties",
            "streamrec-serving.properties",
            "streamrec-trainer.properties")) {
      Properties p = new Properties();
      try (InputStream in = KafkaOptionsTest.class.getClassLoader().getResourceAsStream(file)) {
        assertThat(in).as(file).isNotNull();
        p.load(in);
      }
      assertThat(p.getProperty("kafka.bootstrap.servers"))
          .as(file)
          .isEqualTo(KafkaOptions.DEFAULT_BOOTSTRAP);
    }
  }

  @Test
  void shouldDeclareTheKafkaOptionsOnceForEveryCommandThatTalksToACluster() {
    for (Object command : List.of(new ReplayCommand(), new EvaluateCommand())) {
      CommandLine cl = new CommandLine(command);
      OptionSpec bootstrap = cl.getCommandSpec().findOption("--bootstrap");
      assertThat(bootstrap.defaultValue()).isEqualTo(KafkaOptions.DEFAULT_BOOTSTRAP);
      assertThat(cl.getUsageMessage())
          .contains("Kafka bootstrap servers (default: " + KafkaOptions.DEFAULT_BOOTSTRAP);
      assertThat(cl.getCommandSpec().findOption("--topics-suffix").defaultValue()).isEmpty();
    }
  }

  @Test
  void shouldStartAFreshBrokerWhenClusterOptionsHaveNoBootstrap() {
    CommandLine.Model.CommandSpec spec = new CommandLine(new DemoCommand()).getCommandSpec();
    new CommandLine(spec).parseArgs();
    assertThat(((DemoCommand) spec.userObject()).cluster.bootstrapOrNull()).isNull();

    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs("--bootstrap", "broker:29092");
    assertThat(demo.cluster.bootstrapOrNull()).isEqualTo("broker:29092");
  }

  @Test
  void shouldParseBootstrapAndSuffixIntoTheMixin() {
    ReplayCommand replay = new ReplayCommand();
    new CommandLine(replay).parseArgs("--bootstrap", "h:1", "--topics-suffix", "-x");
    assertThat(replay.kafka.bootstrap()).isEqualTo("h:1");
    assertThat(replay.kafka.topicsSuffix()).isEqualTo("-x");
  }
}
