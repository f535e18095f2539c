package io.streamrec.ops;

import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.cli.KafkaOptions;
import io.streamrec.ops.cli.Preflight;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec topics}: create or list StreamRec's topics from their single declaration in
 * {@code schemas}.
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Create or list StreamRec's topics.",
    subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class})
final class TopicsCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create every StreamRec topic that does not exist yet (idempotent).")
  static final class Create implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
        names = "--replication",
        defaultValue = "1",
        description = "Replication factor (default: ${DEFAULT-VALUE}).")
    short replication;

    @Override
    public Integer call() {
      Preflight.requireBroker(kafka.bootstrap(), Preflight.BROKER_TIMEOUT);
      List<TopicSpec<?, ?>> topics = new ArrayList<>();
      for (TopicSpec<?, ?> t : Topics.all()) {
        topics.add(t.withSuffix(kafka.topicsSuffix()));
      }
      var result = TopicAdmin.createAll(kafka.bootstrap(), topics, replication, Map.of());
      result.created().forEach(t -> System.out.println("created  " + t));
      result.existing().forEach(t -> System.out.println("exists   " + t));
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Print the topic declarations.")
  static final class ListTopics implements Runnable {
    @Override
    public void run() {
      System.out.printf("%-45s %10s %10s%n", "topic", "partitions", "compacted");
      for (TopicSpec<?, ?> t : Topics.all()) {
        System.out.printf("%-45s %10d %10s%n", t.name(), t.partitions(), t.compacted());
      }
    }
  }
}
