package io.streamrec.kafka;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one place where the project's tools and services start the configuration of a Kafka client,
 * one builder per client kind. Each returns a fresh, mutable {@link Properties} with the settings
 * every client of that kind here shares; a caller adds what is its own (a client id, a poll size,
 * timeouts) on top.
 *
 * <ul>
 *   <li>{@link #admin}: bootstrap and client id.
 *   <li>{@link #readCommittedConsumer}: {@code read_committed} (every topic the pipeline writes is
 *       written transactionally or idempotently, and a reader must never see an aborted record), no
 *       auto-commit, and {@code earliest} when the group has no offset; without a group id it is
 *       for {@code assign}.
 *   <li>{@link #producer}: {@code acks=all} with idempotence, so a retried send is never
 *       duplicated.
 *   <li>{@link #exactlyOnceStreams}: a Kafka Streams application with {@code exactly_once_v2}.
 * </ul>
 */
public final class ClientProperties {
  private ClientProperties() {}

  /**
   * An admin client of {@code bootstrap}, named {@code clientId} in the broker's logs and quotas.
   */
  public static Properties admin(String bootstrap, String clientId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /**
   * A {@code read_committed} consumer without auto-commit; {@code groupId} null for a group-less
   * assign.
   */
  public static Properties readCommittedConsumer(String bootstrap, String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** An idempotent producer with {@code acks=all}. */
  public static Properties producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return p;
  }

  /**
   * A Kafka Streams application {@code applicationId} with {@code exactly_once_v2} and its state in
   * {@code stateDir}.
   */
  public static Properties exactlyOnceStreams(
      String applicationId, String bootstrap, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return p;
  }

  /** {@code props} as the {@code Map<String, Object>} a client constructor also accepts. */
  public static Map<String, Object> asMap(Properties props) {
    Map<String, Object> m = new HashMap<>();
    props.forEach((k, v) -> m.put(k.toString(), v));
    return m;
  }
}
