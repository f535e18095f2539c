package io.streamrec.streams.serving;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processor of the global item-embedding store: validates each row (decodable, finite, of the index
 * dimension), puts the valid raw bytes into the store and the row into the {@link ItemMatrix}; a
 * tombstone removes the item. Invalid rows are counted, logged and written to the serving DLQ
 * through the {@link DeadLetterSink} (a global processor may not forward). On {@link #init} the
 * matrix is rebuilt from the store's restored contents, so a restarted instance serves the same
 * items without waiting for the topic.
 */
final class ItemEmbeddingProcessor implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(ItemEmbeddingProcessor.class);
  private static final AvroSerde<EmbeddingUpdate> SERDE = AvroSerde.of(EmbeddingUpdate.class);

  private final ItemMatrix items;
  private final AnnMaintainer ann;
  private final ServingConfig config;
  private final ServingMetrics metrics;
  private final DeadLetterSink deadLetters;
  private final String storeName;
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, byte[]> store;

  ItemEmbeddingProcessor(final ServingDependencies deps, final String storeName) {
    this.items = deps.items();
    this.ann = deps.ann();
    this.config = deps.config();
    this.metrics = deps.metrics();
    this.deadLetters = deps.globalDeadLetters();
    this.storeName = storeName;
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    int loaded = 0;
    int skipped = 0;
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        final var kv = it.next();
        if (apply(kv.key, kv.value) == null) {
          loaded++;
        } else {
          skipped++;
        }
      }
    }
    log.info("Item index rebuilt from {}: {} items loaded, {} skipped", storeName, loaded, skipped);
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    final String id = record.key();
    if (id == null) {
      deadLetter(record, DeadLetterReason.MISSING_KEY, null);
      return;
    }
    if (record.value() == null) {
      store.delete(id);
      items.delete(id);
      return;
    }
    final DeadLetterReason violation;
    try {
      violation = apply(id, record.value());
    } catch (SerializationException e) {
      deadLetter(record, DeadLetterReason.UNDECODABLE, e);
      return;
    }
    if (violation != null) {
      deadLetter(record, violation, null);
      return;
    }
    store.put(id, record.value());
  }

  /** Decodes, validates and indexes one row; returns the violation, or null when indexed. */
  private DeadLetterReason apply(final String id, final byte[] bytes) {
    final EmbeddingUpdate e = SERDE.decode(bytes);
    final DeadLetterReason violation =
        EmbeddingRules.violation(e, items.dimension(), config.embeddingMaxNorm());
    if (violation != null) {
      return violation;
    }
    try {
      items.upsert(
          id,
          EmbeddingRules.toArray(e),
          e.getBias(),
          e.getModelVersion(),
          e.getPopularityCount(),
          e.getPopularityTimeMs(),
          e.getPopularityWeight(),
          e.getPopularityHalfLifeMs());
    } catch (IllegalArgumentException dimensionRace) {
      return DeadLetterReason.WRONG_DIMENSION;
    }
    ann.afterUpdate();
    return null;
  }

  private void deadLetter(
      final Record<String, byte[]> record, final DeadLetterReason reason, final Throwable error) {
    final RecordMetadata m = context.recordMetadata().orElse(null);
    final String topic = m == null ? "" : m.topic();
    final int partition = m == null ? -1 : m.partition();
    final long offset = m == null ? -1 : m.offset();
    metrics.deadLetter(reason);
    log.warn(
        "Dead-lettering item embedding {} from {}-{}@{}: {}",
        record.key(),
        topic,
        partition,
        offset,
        reason);
    final byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
    deadLetters.send(topic, partition, offset, key, record.value(), reason, error);
  }
}
