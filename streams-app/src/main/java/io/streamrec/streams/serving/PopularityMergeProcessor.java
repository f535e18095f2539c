package io.streamrec.streams.serving;

import io.streamrec.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processor of the global popularity store: keeps {@code <partition>/<itemId>} to {@link
 * PopularityCodec} bytes and feeds {@link GlobalPopularity}. The values are absolute (each serving
 * task publishes its partition's current count, on a compacted topic), so replaying the topic after
 * a restart cannot count anything twice. On {@link #init} the merged view is rebuilt from the
 * restored store. Malformed records are dead-lettered through the {@link DeadLetterSink} (a global
 * processor may not forward).
 */
final class PopularityMergeProcessor implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(PopularityMergeProcessor.class);

  private final GlobalPopularity popularity;
  private final ServingMetrics metrics;
  private final DeadLetterSink deadLetters;
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, byte[]> store;

  PopularityMergeProcessor(final ServingDependencies deps) {
    this.popularity = deps.popularity();
    this.metrics = deps.metrics();
    this.deadLetters = deps.globalDeadLetters();
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(ServingNames.ITEM_POPULARITY_STORE);
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        final var kv = it.next();
        apply(kv.key, kv.value);
      }
    }
    log.info(
        "Whole-stream popularity rebuilt from {}: {} items",
        ServingNames.ITEM_POPULARITY_STORE,
        popularity.size());
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    if (!apply(record.key(), record.value())) {
      final RecordMetadata m = context.recordMetadata().orElse(null);
      metrics.deadLetter(DeadLetterReason.UNDECODABLE);
      log.warn(
          "Dead-lettering malformed popularity record {} from {}-{}@{}",
          record.key(),
          m == null ? "" : m.topic(),
          m == null ? -1 : m.partition(),
          m == null ? -1 : m.offset());
      deadLetters.send(
          m == null ? "" : m.topic(),
          m == null ? -1 : m.partition(),
          m == null ? -1 : m.offset(),
          record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
          record.value(),
          DeadLetterReason.UNDECODABLE,
          null);
      return;
    }
    store.put(record.key(), record.value());
  }

  private boolean apply(final String key, final byte[] value) {
    final int partition = PopularityCodec.partitionOf(key);
    if (partition < 0 || !PopularityCodec.valid(value)) {
      return false;
    }
    popularity.set(
        partition,
        PopularityCodec.itemOf(key),
        PopularityCodec.log2Count(value),
        PopularityCodec.newestEventTimeMs(value));
    return true;
  }
}
