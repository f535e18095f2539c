package io.streamrec.streams.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.schemas.DeadLetterReason;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The ingest topology's own meters (Kafka Streams' built-in metrics are bound separately by {@link
 * IngestService}). Every meter is registered up front so that dashboards see zeros rather than
 * gaps.
 *
 * <ul>
 *   <li>{@code streamrec.dlq.records{stage=ingest,reason}}: records dead-lettered, by {@link
 *       DeadLetterReason#tag()}, one counter for each of {@link #REASONS}
 *   <li>{@code streamrec.ingest.records}: records read from the ratings topic (valid or not)
 *   <li>{@code streamrec.ingest.duplicates}: valid events dropped as repeats of an accepted (user,
 *       item, time)
 *   <li>{@code streamrec.ingest.held}: events held back because their user had not qualified yet
 *   <li>{@code streamrec.ingest.users.qualified}: users that reached {@code
 *       ingest.min.user.interactions}
 *   <li>{@code streamrec.ingest.examples}: training examples emitted (released or passed through)
 * </ul>
 */
public final class IngestMetrics {
  public static final String RECORDS = "streamrec.ingest.records";
  public static final String DUPLICATES = "streamrec.ingest.duplicates";
  public static final String HELD = "streamrec.ingest.held";
  public static final String USERS_QUALIFIED = "streamrec.ingest.users.qualified";
  public static final String EXAMPLES = "streamrec.ingest.examples";

  /**
   * The reasons the ingest stage dead-letters for: the content rules of {@link RatingValidator},
   * undecodable bytes, and records too large to produce (counted by {@code
   * DeadLetterProductionExceptionHandler} under the same meter).
   */
  public static final Set<DeadLetterReason> REASONS =
      EnumSet.of(
          DeadLetterReason.UNDECODABLE,
          DeadLetterReason.KEY_MISMATCH,
          DeadLetterReason.INVALID_USER_ID,
          DeadLetterReason.INVALID_ITEM_ID,
          DeadLetterReason.RATING_NOT_FINITE,
          DeadLetterReason.RATING_OUT_OF_RANGE,
          DeadLetterReason.INVALID_TIMESTAMP,
          DeadLetterReason.RECORD_TOO_LARGE);

  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private final Counter records;
  private final Counter duplicates;
  private final Counter held;
  private final Counter usersQualified;
  private final Counter examples;

  public IngestMetrics(MeterRegistry registry) {
    for (DeadLetterReason r : REASONS) {
      deadLetters.put(r, DeadLetterMeter.counter(registry, "ingest", r));
    }
    records =
        Counter.builder(RECORDS)
            .description("Records read from the ratings topic")
            .register(registry);
    duplicates =
        Counter.builder(DUPLICATES)
            .description("Repeated (user, item, event time) events dropped")
            .register(registry);
    held =
        Counter.builder(HELD)
            .description("Events held back until their user qualifies")
            .register(registry);
    usersQualified =
        Counter.builder(USERS_QUALIFIED)
            .description("Users that reached the minimum count")
            .register(registry);
    examples =
        Counter.builder(EXAMPLES).description("Training examples emitted").register(registry);
  }

  void deadLetter(DeadLetterReason reason) {
    deadLetters.get(reason).increment();
  }

  void record() {
    records.increment();
  }

  void duplicate() {
    duplicates.increment();
  }

  void held() {
    held.increment();
  }

  void userQualified() {
    usersQualified.increment();
  }

  void examples(int n) {
    examples.increment(n);
  }
}
