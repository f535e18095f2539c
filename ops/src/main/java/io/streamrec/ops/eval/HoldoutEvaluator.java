package io.streamrec.ops.eval;

import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The tutorial protocol over Kafka: sends one {@code RecommendationRequest{userId, k, requestId}}
 * per test user to the requests topic and collects the answers from the recommendations topic by
 * {@code requestId} ({@code read_committed}; the consumer is positioned at the end of the topic
 * before the first request is sent, so only answers to this run's requests count).
 */
public final class HoldoutEvaluator {

  /** The answers: per user, item ids best first; plus what the lists say about the model. */
  public record Responses(
      Map<String, List<String>> lists, int fallbacks, long maxModelVersion, double seconds) {}

  /** Some users got no answer within the timeout. */
  public static final class MissingResponsesException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final List<String> users;

    MissingResponsesException(List<String> users, int asked, Duration timeout, String topic) {
      super(
          users.size()
              + " of "
              + asked
              + " users got no answer on "
              + topic
              + " within "
              + timeout
              + " (is the serving topology running?): users "
              + preview(users));
      this.users = List.copyOf(users);
    }

    public List<String> users() {
      return users;
    }

    private static String preview(List<String> users) {
      return users.size() <= 50
          ? users.toString()
          : users.subList(0, 50) + " and " + (users.size() - 50) + " more";
    }
  }

  private HoldoutEvaluator() {}

  /**
   * @param runId prefix of the request ids, unique per run (request id = {@code runId + ":" +
   *     userId})
   */
  public static Responses request(
      String bootstrap,
      String suffix,
      Collection<String> users,
      int k,
      Duration timeout,
      String runId) {
    TopicSpec<String, RecommendationRequest> requests =
        Topics.RECOMMENDATION_REQUESTS.withSuffix(suffix);
    TopicSpec<String, Recommendations> recs = Topics.RECOMMENDATIONS.withSuffix(suffix);
    Map<String, String> userByRequest = new HashMap<>();
    for (String u : users) {
      userByRequest.put(runId + ":" + u, u);
    }
    Map<String, List<String>> answers = new LinkedHashMap<>();
    int fallbacks = 0;
    long maxVersion = -1;
    long start = System.nanoTime();
    try (KafkaConsumer<String, Recommendations> consumer =
            new KafkaConsumer<>(
                TopicReader.consumerProps(bootstrap),
                recs.keySerde().deserializer(),
                recs.valueSerde().deserializer());
        KafkaProducer<String, RecommendationRequest> producer =
            new KafkaProducer<>(
                producerProps(bootstrap),
                requests.keySerde().serializer(),
                requests.valueSerde().serializer())) {
      List<TopicPartition> parts = TopicReader.partitions(consumer, recs.name(), timeout);
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      for (TopicPartition p : parts) {
        consumer.position(p, timeout);
      }
      for (String u : users) {
        producer.send(
            new ProducerRecord<>(
                requests.name(), u, new RecommendationRequest(u, k, runId + ":" + u)));
      }
      producer.flush();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (answers.size() < userByRequest.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Recommendations> r : consumer.poll(Duration.ofMillis(200))) {
          Recommendations v = r.value();
          CharSequence rid = v.getRequestId();
          String user = rid == null ? null : userByRequest.get(rid.toString());
          if (user == null || answers.containsKey(user)) {
            continue;
          }
          List<String> items = new ArrayList<>(v.getItems().size());
          for (ScoredItem s : v.getItems()) {
            items.add(s.getItemId().toString());
          }
          answers.put(user, items);
          fallbacks += v.getFallback() ? 1 : 0;
          maxVersion = Math.max(maxVersion, v.getModelVersion());
        }
      }
    }
    if (answers.size() < userByRequest.size()) {
      List<String> missing = new ArrayList<>(new TreeSet<>(users));
      missing.removeAll(answers.keySet());
      throw new MissingResponsesException(missing, users.size(), timeout, recs.name());
    }
    return new Responses(answers, fallbacks, maxVersion, (System.nanoTime() - start) / 1e9);
  }

  private static Map<String, Object> producerProps(String bootstrap) {
    Map<String, Object> p = ClientProperties.asMap(ClientProperties.producer(bootstrap));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamrec-evaluator");
    return p;
  }
}
