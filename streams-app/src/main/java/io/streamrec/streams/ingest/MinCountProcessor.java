package io.streamrec.streams.ingest;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * {@code filter-min-user-count}: {@link MinCountFilter} as a node of its own, for the valid events
 * that arrive through the {@code ratings-by-user} repartition (records that came without a key).
 * Input: valid events keyed by user id (the record key equals {@code userId}); output: {@link
 * TrainingExample}s with the same key. Records that arrive keyed are counted in {@code
 * decode-validate-ratings} itself, over the same store: that node's supplier declares it ({@link
 * #storeBuilder()}), this node is connected to it by name ({@link IngestTopology}), which puts both
 * nodes in one sub-topology (declaring it from both suppliers made Kafka Streams 4.3.1 keep only
 * the second declaration's connection and split them into two sub-topologies, each with the store).
 */
final class MinCountProcessor implements Processor<String, RatingEvent, String, TrainingExample> {

  /** Name of the persistent, changelogged RocksDB store of {@link UserState} by user id. */
  static final String STORE = "user-state-store";

  private final MinCountFilter filter;
  private ProcessorContext<String, TrainingExample> context;
  private final MinCountFilter.Emitter forward = example -> context.forward(example);

  MinCountProcessor(int min, IngestMetrics metrics) {
    this.filter = new MinCountFilter(min, metrics);
  }

  /**
   * A persistent RocksDB key-value store, changelogged (the default), behind {@link
   * UserStateStore}.
   */
  static StoreBuilder<KeyValueStore<String, UserState>> storeBuilder() {
    return UserStateStore.builder(STORE);
  }

  /**
   * Supplies one processor per task; the node must be connected to {@link #STORE}, declared by
   * {@code decode-validate-ratings}.
   */
  static ProcessorSupplier<String, RatingEvent, String, TrainingExample> supplier(
      int min, IngestMetrics metrics) {
    return () -> new MinCountProcessor(min, metrics);
  }

  @Override
  public void init(ProcessorContext<String, TrainingExample> context) {
    this.context = context;
    filter.init(context.getStateStore(STORE));
  }

  @Override
  public void process(Record<String, RatingEvent> record) {
    filter.apply(record.key(), record.value(), record.timestamp(), record.headers(), forward);
  }
}
