package io.streamrec.ops.demo;

import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.Trigger;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A stand-in for the serving topology in tests: a consumer-producer loop that answers each request
 * with {@code lists.apply(userId)}, echoing the request id; users in {@code ignored} get no answer.
 */
final class FakeServing implements ServiceLauncher.RunningServices {
  private final Thread thread;
  private volatile boolean running = true;

  FakeServing(
      String bootstrap, String suffix, Function<String, List<String>> lists, Set<String> ignored) {
    TopicSpec<String, RecommendationRequest> req =
        Topics.RECOMMENDATION_REQUESTS.withSuffix(suffix);
    TopicSpec<String, Recommendations> recs = Topics.RECOMMENDATIONS.withSuffix(suffix);
    Map<String, Object> cp = new HashMap<>();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Object> pp = new HashMap<>();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    KafkaConsumer<String, RecommendationRequest> consumer =
        new KafkaConsumer<>(cp, req.keySerde().deserializer(), req.valueSerde().deserializer());
    List<TopicPartition> parts = new ArrayList<>();
    consumer
        .partitionsFor(req.name())
        .forEach(p -> parts.add(new TopicPartition(req.name(), p.partition())));
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    KafkaProducer<String, Recommendations> producer =
        new KafkaProducer<>(pp, recs.keySerde().serializer(), recs.valueSerde().serializer());
    thread =
        new Thread(
            () -> {
              try (consumer;
                  producer) {
                while (running) {
                  for (ConsumerRecord<String, RecommendationRequest> r :
                      consumer.poll(Duration.ofMillis(100))) {
                    String user = r.value().getUserId().toString();
                    if (ignored.contains(user)) {
                      continue;
                    }
                    List<ScoredItem> items = new ArrayList<>();
                    List<String> l = lists.apply(user);
                    for (int i = 0; i < Math.min(r.value().getK(), l.size()); i++) {
                      items.add(new ScoredItem(l.get(i), (float) (l.size() - i)));
                    }
                    producer.send(
                        new ProducerRecord<>(
                            recs.name(),
                            user,
                            Recommendations.newBuilder()
                                .setUserId(user)
                                .setItems(items)
                                .setModelVersion(7)
                                .setGeneratedAt(Instant.now())
                                .setRequestId(r.value().getRequestId())
                                .setTrigger(Trigger.REQUEST)
                                .build()));
                  }
                  producer.flush();
                }
              }
            },
            "fake-serving");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public ServiceLauncher.TrainerStatus trainer() {
    return new ServiceLauncher.TrainerStatus(7, 79_999, 0, true);
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
