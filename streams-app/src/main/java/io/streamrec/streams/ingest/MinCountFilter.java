package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The streaming form of {@code MinCountFilter(min)} on users, over {@link MinCountProcessor#STORE}:
 * applied by the two nodes that see valid events keyed by their user ({@code
 * decode-validate-ratings} for records that arrive keyed, {@code filter-min-user-count} for those
 * that went through the {@code ratings-by-user} repartition), which share the store. Owned by one
 * processor (one task, one thread).
 *
 * <p>Per event: a repeat of an accepted (user, item, event time) is dropped and counted; otherwise
 * the user's count grows by one. Until the count reaches {@code min}, the event is held in the
 * user's state. The event that reaches {@code min} releases the held events and itself, sorted by
 * event time (stable: ties keep arrival order), with {@code userInteractions} = 1..min. Later
 * events pass straight through with the new count. With {@code min = 1} nothing is ever held. The
 * held buffer is bounded by {@code min - 1} events per user.
 *
 * <p>Output record timestamps are the triggering input record's timestamp (event times, which may
 * be years old, stay in the value, so topic retention does not delete fresh output); the output
 * keeps the input's headers.
 *
 * <p>State: {@link UserStateStore}, a write-back cache of decoded states in front of RocksDB, so an
 * event decodes its user's state only when the user is not cached and encodes it only once per
 * commit (not once per event); see there for why a cached state never outlives the transaction that
 * produced it.
 */
final class MinCountFilter {

  /** Where the examples go (the node's {@code context.forward} to its examples sink). */
  @FunctionalInterface
  interface Emitter {
    void emit(Record<String, TrainingExample> example);
  }

  private final int min;
  private final IngestMetrics metrics;
  private KeyValueStore<String, UserState> store;

  MinCountFilter(int min, IngestMetrics metrics) {
    this.min = min;
    this.metrics = metrics;
  }

  /** Called from the owning processor's {@code init} (also again when its task is revived). */
  void init(KeyValueStore<String, UserState> store) {
    this.store = store;
  }

  /**
   * Applies the rule to one valid event of {@code user} (equal to {@code e.getUserId()}); emits
   * zero or more examples, each with {@code timestamp} and {@code headers}.
   */
  void apply(String user, RatingEvent e, long timestamp, Headers headers, Emitter out) {
    Instant eventTime = e.getTimestamp();
    long ts = eventTime.toEpochMilli();
    UserState state = store.get(user);
    if (state == null) {
      state = new UserState();
    }
    if (state.isDuplicate(e.getItemId(), ts)) {
      metrics.duplicate();
      return;
    }
    int count = state.record(e.getItemId(), ts);
    if (count < min) {
      state.hold(e.getItemId(), e.getRating(), ts);
      store.put(user, state);
      metrics.held();
      return;
    }
    if (count == min && min > 1) {
      state.hold(e.getItemId(), e.getRating(), ts);
      List<UserState.HeldEvent> release = state.drainHeld();
      store.put(user, state);
      metrics.userQualified();
      int n = count - release.size();
      for (UserState.HeldEvent h : release) {
        TrainingExample ex =
            new TrainingExample(
                user, h.itemId(), h.rating(), Instant.ofEpochMilli(h.timestamp()), ++n);
        out.emit(new Record<>(user, ex, timestamp, headers));
      }
      metrics.examples(release.size());
      return;
    }
    if (count == 1) {
      metrics.userQualified();
    }
    store.put(user, state);
    // the all-args constructor: the builder's per-field default-value checks are measurable per
    // event; the event's Instant is immutable and reused
    out.emit(
        new Record<>(
            user,
            new TrainingExample(user, e.getItemId(), e.getRating(), eventTime, count),
            timestamp,
            headers));
    metrics.examples(1);
  }
}
