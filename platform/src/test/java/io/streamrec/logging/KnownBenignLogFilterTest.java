package io.streamrec.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class KnownBenignLogFilterTest {

  private static ListAppender<ILoggingEvent> logWith(LoggerContext ctx, boolean passAll) {
    KnownBenignLogFilter f = new KnownBenignLogFilter();
    f.setPassAll(passAll);
    f.setContext(ctx);
    f.start();
    ctx.addTurboFilter(f);
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.setContext(ctx);
    list.start();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(list);
    return list;
  }

  private static void emitTheKnownLinesAndARealOne(LoggerContext ctx) {
    Logger sender = ctx.getLogger("org.apache.kafka.clients.producer.internals.Sender");
    sender.warn(
        "[Producer clientId={}, transactionalId={}] Got error produce response with correlation id {} on"
            + " topic-partition {}, retrying ({} attempts left). Error: {}",
        "p",
        "t",
        7,
        "x-0",
        2147483646,
        "CONCURRENT_TRANSACTIONS");
    sender.warn(
        "[Producer clientId=p] Got error produce response with correlation id 8 on topic-partition x-0,"
            + " retrying (2147483645 attempts left). Error: OUT_OF_ORDER_SEQUENCE_NUMBER");
    ctx.getLogger("kafka.server.ReplicaManager")
        .error(
            "[ReplicaManager broker=1] Error processing append operation" + " on partition {}",
            "x-0",
            new OutOfOrderSequenceException("Out of order sequence number for producer 4"));
    // a real problem from the same logger stays
    sender.warn(
        "[Producer clientId=p] Got error produce response with correlation id 9 on topic-partition x-0,"
            + " retrying (3 attempts left). Error: NOT_LEADER_OR_FOLLOWER");
  }

  @Test
  void shouldDropOnlyTheKnownBenignKafkaRetryLines() {
    LoggerContext ctx = new LoggerContext();
    ListAppender<ILoggingEvent> list = logWith(ctx, false);
    long before = KnownBenignLogFilter.hidden();
    emitTheKnownLinesAndARealOne(ctx);
    assertThat(list.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .singleElement()
        .asString()
        .contains("NOT_LEADER_OR_FOLLOWER");
    assertThat(KnownBenignLogFilter.hidden() - before).isEqualTo(3);
  }

  @Test
  void shouldLetEverythingThroughWhenVerbose() {
    LoggerContext ctx = new LoggerContext();
    ListAppender<ILoggingEvent> list = logWith(ctx, true);
    emitTheKnownLinesAndARealOne(ctx);
    assertThat(list.list).hasSize(4);
  }

  @Test
  void shouldKeepInfoLinesThatMentionTheSameWords() {
    LoggerContext ctx = new LoggerContext();
    ListAppender<ILoggingEvent> list = logWith(ctx, false);
    ctx.getLogger("org.apache.kafka.clients.producer.internals.Sender")
        .info("CONCURRENT_TRANSACTIONS seen");
    assertThat(list.list).hasSize(1);
  }
}
