package io.streamrec.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logback turbo filter that drops the WARN/ERROR lines Kafka 4.x prints for retries that always
 * succeed under exactly-once, so a healthy run prints no WARN or ERROR. Each rule names the logger,
 * the level and a text the formatted message (or the attached exception) must contain; nothing else
 * is touched. With {@code passAll} true ({@code --verbose}, {@code -Dstreamrec.log.verbose=true} or
 * {@code STREAMREC_LOG_VERBOSE=true}) every line passes.
 *
 * <p>The rules (why each is benign: docs/operations.md, "Logging"):
 *
 * <ul>
 *   <li>producer {@code Sender} WARN "Got error produce response ... CONCURRENT_TRANSACTIONS": with
 *       transactions v2 the first produce of a new transaction can reach the partition leader
 *       before the previous transaction's markers are written; the producer retries and the record
 *       is written once;
 *   <li>producer {@code Sender} WARN "... OUT_OF_ORDER_SEQUENCE_NUMBER": the same race seen from
 *       the sequence check; retried, written once;
 *   <li>broker ERROR with {@code OutOfOrderSequenceException} (KAFKA-18202): the broker's side of
 *       that rejected first attempt;
 *   <li>consumer {@code NetworkClient} WARN "... {app-...-repartition=UNKNOWN_TOPIC_OR_PARTITION}"
 *       (or {@code -changelog}): a Kafka Streams consumer asked for metadata of an internal topic
 *       that its group leader is creating at that moment; the next metadata round finds it;
 *   <li>{@code OffsetFetcherUtils} WARN "Not updating last stable offset for partition ... as it is
 *       no longer assigned": the global-store consumer re-assigns its partitions between
 *       restoration and processing;
 *   <li>Kafka Streams' startup advice that the processing exception handler is not enabled for the
 *       global thread ({@code processing.exception.handler.global.enabled}): serving's one global
 *       store processor ({@code ItemEmbeddingProcessor}) validates and dead-letters bad records
 *       itself;
 *   <li>DJL's CUDA probe on a machine without CUDA (WARN lines from {@code ai.djl} mentioning
 *       CUDA): the CPU engine is used, as configured.
 * </ul>
 *
 * <p>Cost: the level check comes first, so DEBUG/INFO calls pay one comparison; a WARN/ERROR is
 * formatted once more only when its logger matches a rule.
 */
public final class KnownBenignLogFilter extends TurboFilter {

  /**
   * One benign line: logger name prefix, the lowest level it is dropped at, and a text it must
   * contain.
   */
  record Rule(String loggerPrefix, Level level, String contains) {
    boolean matches(String logger, Level l, String message, Throwable t) {
      return l.isGreaterOrEqual(level)
          && logger.startsWith(loggerPrefix)
          && (message.contains(contains) || causeMentions(t, contains));
    }
  }

  static final List<Rule> RULES =
      List.of(
          new Rule(
              "org.apache.kafka.clients.producer.internals.Sender",
              Level.WARN,
              "CONCURRENT_TRANSACTIONS"),
          new Rule(
              "org.apache.kafka.clients.producer.internals.Sender",
              Level.WARN,
              "OUT_OF_ORDER_SEQUENCE_NUMBER"),
          new Rule(
              "org.apache.kafka.clients.producer.internals.TransactionManager",
              Level.WARN,
              "CONCURRENT_TRANSACTIONS"),
          new Rule("kafka.", Level.WARN, "OutOfOrderSequenceException"),
          new Rule("org.apache.kafka.storage", Level.WARN, "OutOfOrderSequenceException"),
          new Rule("org.apache.kafka.server", Level.WARN, "OutOfOrderSequenceException"),
          new Rule(
              "org.apache.kafka.clients.NetworkClient",
              Level.WARN,
              "-repartition=UNKNOWN_TOPIC_OR_PARTITION"),
          new Rule(
              "org.apache.kafka.clients.NetworkClient",
              Level.WARN,
              "-changelog=UNKNOWN_TOPIC_OR_PARTITION"),
          new Rule(
              "org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils",
              Level.WARN,
              "as it is no longer assigned"),
          new Rule(
              "org.apache.kafka.streams.StreamsConfig",
              Level.WARN,
              "processing.exception.handler.global.enabled"),
          new Rule("ai.djl", Level.WARN, "CUDA"),
          new Rule("ai.djl", Level.WARN, "cuda"));

  private static final AtomicLong HIDDEN = new AtomicLong();

  private boolean passAll;

  /**
   * Lets every line through (set from the logback config: {@code
   * <passAll>${streamrec.log.verbose}</passAll>}).
   */
  public void setPassAll(boolean passAll) {
    this.passAll = passAll;
  }

  /** How many lines this JVM's filters dropped so far (the demo reports it). */
  public static long hidden() {
    return HIDDEN.get();
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (passAll || level == null || !level.isGreaterOrEqual(Level.WARN) || format == null) {
      return FilterReply.NEUTRAL;
    }
    String name = logger.getName();
    String message = null;
    for (Rule r : RULES) {
      if (!name.startsWith(r.loggerPrefix())) {
        continue;
      }
      if (message == null) {
        message =
            params == null || params.length == 0
                ? format
                : MessageFormatter.arrayFormat(format, params).getMessage();
      }
      Throwable thrown = t != null ? t : MessageFormatter.getThrowableCandidate(params);
      if (r.matches(name, level, message, thrown)) {
        HIDDEN.incrementAndGet();
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }

  private static boolean causeMentions(Throwable t, String text) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getClass().getName().contains(text)
          || (c.getMessage() != null && c.getMessage().contains(text))) {
        return true;
      }
    }
    return false;
  }
}
