package io.streamrec.streams.serving;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.TrainingExample;
import io.streamrec.avro.Trigger;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user serving processor. Inputs (all keyed by user id, co-partitioned, raw bytes decoded here so a
 * bad record becomes a dead letter instead of a crash): training examples (the INTERACTION trigger), user
 * embeddings (EMBEDDING_UPDATE, debounced) and recommendation requests (REQUEST). Outputs: {@link Recommendations}
 * to the recommendations sink, original bytes with {@link DeadLetterHeaders} to the DLQ sink.
 *
 * <p>Debounce: an embedding update marks the user dirty; a wall-clock punctuator every {@code serving.debounce.ms}
 * emits one list per dirty user, so a user gets at most one EMBEDDING_UPDATE list per period. An interaction or
 * request for a dirty user emits the fresh list at once and clears the mark. Dirty marks live in memory: a crash
 * loses at most one period of pending EMBEDDING_UPDATE lists (the next update or interaction re-emits).
 */
final class ServingProcessor implements Processor<String, byte[], Object, Object> {
  private static final Logger log = LoggerFactory.getLogger(ServingProcessor.class);
  private static final AvroSerde<EmbeddingUpdate> EMBEDDING = AvroSerde.of(EmbeddingUpdate.class);
  private static final AvroSerde<TrainingExample> EXAMPLE = AvroSerde.of(TrainingExample.class);
  private static final AvroSerde<RecommendationRequest> REQUEST = AvroSerde.of(RecommendationRequest.class);

  private final ServingRuntime runtime;
  private final ServingConfig config;
  private final String examplesTopic;
  private final String userEmbeddingsTopic;
  private final String requestsTopic;
  private final ItemIndex.Scratch scratch = new ItemIndex.Scratch();
  private final Set<String> dirty = new LinkedHashSet<>();
  private ProcessorContext<Object, Object> context;
  private KeyValueStore<String, EmbeddingUpdate> users;
  private KeyValueStore<String, UserHistory> histories;
  private KeyValueStore<String, Double> popularityStore;
  private PopularityTracker popularity;
  private int partition;

  ServingProcessor(final ServingRuntime runtime) {
    this.runtime = runtime;
    this.config = runtime.config();
    this.examplesTopic = config.topic(Topics.TRAINING_EXAMPLES).name();
    this.userEmbeddingsTopic = config.topic(Topics.USER_EMBEDDINGS).name();
    this.requestsTopic = config.topic(Topics.RECOMMENDATION_REQUESTS).name();
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
    this.users = context.getStateStore(ServingTopology.USER_EMBEDDING_STORE);
    this.histories = context.getStateStore(ServingTopology.USER_HISTORY_STORE);
    this.popularityStore = context.getStateStore(ServingTopology.POPULARITY_STORE);
    this.popularity = new PopularityTracker(config.popularityHalfLife());
    try (KeyValueIterator<String, Double> it = popularityStore.all()) {
      while (it.hasNext()) {
        final var kv = it.next();
        popularity.restore(kv.key, kv.value);
      }
    }
    this.partition = context.taskId().partition();
    runtime.register(partition, popularity);
    context.schedule(config.debounce(), PunctuationType.WALL_CLOCK_TIME, this::emitDirty);
    log.info("Serving task {} ready: {} popular items restored", context.taskId(), popularity.size());
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    final RecordMetadata m = context.recordMetadata().orElseThrow();
    final String topic = m.topic();
    if (topic.equals(examplesTopic)) {
      onInteraction(record, m);
    } else if (topic.equals(userEmbeddingsTopic)) {
      onUserEmbedding(record, m);
    } else if (topic.equals(requestsTopic)) {
      onRequest(record, m);
    } else {
      throw new IllegalStateException("Serving processor got a record from unexpected topic " + topic);
    }
  }

  private void onInteraction(final Record<String, byte[]> record, final RecordMetadata m) {
    final TrainingExample ex;
    try {
      ex = EXAMPLE.decode(record.value());
    } catch (SerializationException e) {
      deadLetter(record, m, DeadLetterReason.UNDECODABLE, e);
      return;
    }
    final String user = record.key() != null ? record.key() : ex.getUserId();
    if (isBlank(user)) {
      deadLetter(record, m, DeadLetterReason.INVALID_USER_ID, null);
      return;
    }
    if (isBlank(ex.getItemId())) {
      deadLetter(record, m, DeadLetterReason.INVALID_ITEM_ID, null);
      return;
    }
    final long eventTime = ex.getTimestamp().toEpochMilli();
    final UserHistory before = histories.get(user);
    final UserHistory after = (before == null ? UserHistory.EMPTY : before).with(ex.getItemId(), eventTime);
    if (after != before) {
      histories.put(user, after);
    }
    popularityStore.put(ex.getItemId(), popularity.add(ex.getItemId(), eventTime));
    emit(record, user, users.get(user), after, config.defaultK(), Trigger.INTERACTION, null);
  }

  private void onUserEmbedding(final Record<String, byte[]> record, final RecordMetadata m) {
    if (record.key() == null) {
      deadLetter(record, m, DeadLetterReason.MISSING_KEY, null);
      return;
    }
    if (record.value() == null) {
      users.delete(record.key());
      dirty.remove(record.key());
      return;
    }
    final EmbeddingUpdate e;
    try {
      e = EMBEDDING.decode(record.value());
    } catch (SerializationException ex) {
      deadLetter(record, m, DeadLetterReason.UNDECODABLE, ex);
      return;
    }
    final int expected = runtime.index().dimension();
    final DeadLetterReason violation = EmbeddingRules.violation(e, expected, config.embeddingMaxNorm());
    if (violation != null) {
      deadLetter(record, m, violation, null);
      return;
    }
    users.put(record.key(), e);
    dirty.add(record.key());
  }

  private void onRequest(final Record<String, byte[]> record, final RecordMetadata m) {
    final RecommendationRequest req;
    try {
      req = REQUEST.decode(record.value());
    } catch (SerializationException e) {
      deadLetter(record, m, DeadLetterReason.UNDECODABLE, e);
      return;
    }
    final String user = record.key() != null ? record.key() : req.getUserId();
    if (isBlank(user)) {
      deadLetter(record, m, DeadLetterReason.INVALID_REQUEST, null);
      return;
    }
    final int k = config.clampK(req.getK());
    emit(record, user, users.get(user), histories.get(user), k, Trigger.REQUEST, req.getRequestId());
  }

  private void emitDirty(final long now) {
    if (dirty.isEmpty()) {
      return;
    }
    for (String user : dirty) {
      final Recommendations recs = runtime.recommender().recommend(user, users.get(user), histories.get(user),
          config.defaultK(), Trigger.EMBEDDING_UPDATE, null, popularity, scratch, System.currentTimeMillis());
      context.forward(new Record<Object, Object>(user, recs, now), ServingTopology.SINK_RECOMMENDATIONS);
    }
    dirty.clear();
  }

  private void emit(final Record<String, byte[]> in, final String user, final EmbeddingUpdate embedding,
                    final UserHistory history, final int k, final Trigger trigger, final String requestId) {
    final Recommendations recs = runtime.recommender().recommend(user, embedding, history, k, trigger, requestId,
        popularity, scratch, System.currentTimeMillis());
    dirty.remove(user);
    context.forward(new Record<Object, Object>(user, recs, in.timestamp()), ServingTopology.SINK_RECOMMENDATIONS);
  }

  private void deadLetter(final Record<String, byte[]> record, final RecordMetadata m, final DeadLetterReason reason,
                          final Throwable error) {
    runtime.metrics().deadLetter(reason);
    log.warn("Dead-lettering {}-{}@{} (key {}): {}", m.topic(), m.partition(), m.offset(), record.key(), reason);
    final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    DeadLetterHeaders.add(headers, reason, "serving", m.topic(), m.partition(), m.offset(), error);
    final byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
    context.forward(new Record<Object, Object>(key, record.value(), record.timestamp(), headers),
        ServingTopology.SINK_DEAD_LETTERS);
  }

  private static boolean isBlank(final String s) {
    return s == null || s.isBlank();
  }

  @Override
  public void close() {
    runtime.unregister(partition, popularity);
  }
}
