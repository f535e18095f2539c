package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The streaming form of {@code MinCountFilter(min)} on users. Input: valid events keyed by user id
 * (the record key equals {@code userId}); output: {@link TrainingExample}s with the same key.
 *
 * <p>Per event: a repeat of an accepted (user, item, event time) is dropped and counted; otherwise
 * the user's count grows by one. Until the count reaches {@code min}, the event is held in the
 * user's state. The event that reaches {@code min} releases the held events and itself, sorted by
 * event time (stable: ties keep arrival order), with {@code userInteractions} = 1..min. Later
 * events pass straight through with the new count. With {@code min = 1} nothing is ever held. The
 * held buffer is bounded by {@code min - 1} events per user.
 *
 * <p>Output record timestamps are the triggering input record's timestamp (event times, which may
 * be years old, stay in the value, so topic retention does not delete fresh output).
 *
 * <p>State: {@link UserStateStore}, a write-back cache of decoded states in front of RocksDB, so an
 * event decodes its user's state only when the user is not cached and encodes it only once per
 * commit (not once per event); see there for why a cached state never outlives the transaction that
 * produced it.
 */
final class MinCountProcessor implements Processor<String, RatingEvent, String, TrainingExample> {

  /** Name of the persistent, changelogged RocksDB store of {@link UserState} by user id. */
  static final String STORE = "user-state-store";

  private final int min;
  private final IngestMetrics metrics;
  private ProcessorContext<String, TrainingExample> context;
  private KeyValueStore<String, UserState> store;

  MinCountProcessor(int min, IngestMetrics metrics) {
    this.min = min;
    this.metrics = metrics;
  }

  /** Supplies one processor per task and declares {@link #STORE}. */
  static ProcessorSupplier<String, RatingEvent, String, TrainingExample> supplier(
      int min, IngestMetrics metrics) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, RatingEvent, String, TrainingExample> get() {
        return new MinCountProcessor(min, metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(storeBuilder());
      }
    };
  }

  /**
   * A persistent RocksDB key-value store, changelogged (the default), behind {@link
   * UserStateStore}.
   */
  static StoreBuilder<KeyValueStore<String, UserState>> storeBuilder() {
    return UserStateStore.builder(STORE);
  }

  @Override
  public void init(ProcessorContext<String, TrainingExample> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, RatingEvent> record) {
    RatingEvent e = record.value();
    String user = record.key();
    long ts = e.getTimestamp().toEpochMilli();
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
        forward(record, user, h.itemId(), h.rating(), h.timestamp(), ++n);
      }
      metrics.examples(release.size());
      return;
    }
    if (count == 1) {
      metrics.userQualified();
    }
    store.put(user, state);
    forward(record, user, e.getItemId(), e.getRating(), ts, count);
    metrics.examples(1);
  }

  private void forward(
      Record<String, RatingEvent> trigger,
      String user,
      String item,
      float rating,
      long ts,
      int interactions) {
    // the all-args constructor: the builder's per-field default-value checks are measurable per
    // event
    TrainingExample out =
        new TrainingExample(user, item, rating, Instant.ofEpochMilli(ts), interactions);
    // the input key, timestamp and headers, in one copy (a fixed-key processor copies the record on
    // the way in too)
    context.forward(new Record<>(user, out, trigger.timestamp(), trigger.headers()));
  }
}
