package io.streamrec.streams.serving;

import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.Trigger;
import io.streamrec.schemas.AvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the serve node forwards: a list for the recommendations sink, or a popularity update for its
 * sink.
 */
sealed interface ServingOutput permits ServedList, ServingOutput.PopularityUpdate {

  /**
   * This task's current popularity of one item ({@link PopularityCodec} bytes), keyed {@code
   * <partition>/<itemId>}.
   */
  record PopularityUpdate(byte[] value) implements ServingOutput {}

  /** The sink serializer of popularity updates: the codec bytes as they are. */
  Serializer<PopularityUpdate> POPULARITY_SERIALIZER = (topic, u) -> u == null ? null : u.value();

  /**
   * The sink serializer of lists: the only place a {@link Recommendations} Avro object is built.
   */
  Serializer<ServedList> RECOMMENDATIONS_SERIALIZER =
      new Serializer<>() {
        private final AvroSerde<Recommendations> avro = AvroSerde.of(Recommendations.class);

        @Override
        public byte[] serialize(final String topic, final ServedList l) {
          return l == null ? null : avro.encode(topic, toAvro(l));
        }
      };

  /** The Avro form of a list. */
  static Recommendations toAvro(final ServedList l) {
    final List<ScoredItem> items = new ArrayList<>(l.itemIds().length);
    for (int i = 0; i < l.itemIds().length; i++) {
      items.add(new ScoredItem(l.itemIds()[i], l.scores()[i]));
    }
    return Recommendations.newBuilder()
        .setUserId(l.userId())
        .setItems(items)
        .setModelVersion(l.modelVersion())
        .setGeneratedAt(Instant.ofEpochMilli(l.generatedAtMs()))
        .setRequestId(l.requestId())
        .setTrigger(l.trigger() == null ? Trigger.REQUEST : l.trigger())
        .setFallback(l.fallback())
        .setUserEventTime(
            l.userEventTimeMs() == null ? null : Instant.ofEpochMilli(l.userEventTimeMs()))
        .setEmbeddingEventTime(
            l.embeddingEventTimeMs() == null
                ? null
                : Instant.ofEpochMilli(l.embeddingEventTimeMs()))
        .setCoalescedEvents(l.coalescedEvents())
        .build();
  }
}
