package io.streamrec.streams.serving;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.Trigger;
import java.time.Instant;
import java.util.List;

/**
 * Turns a user's state into a {@link Recommendations} list: personalised from the item index when the user has
 * an embedding of the index dimension and the index has items; otherwise the fallback, recent popularity
 * ({@code fallback=true}, {@code modelVersion=-1}). Seen items are excluded either way.
 *
 * <p>{@code modelVersion} of a personalised list is the maximum of the user row's version and the versions of
 * the item rows returned. Thread-safe if each caller passes its own {@link ItemIndex.Scratch}.
 */
public final class Recommender {
  private final ItemIndex index;
  private final ServingMetrics metrics;

  public Recommender(final ItemIndex index, final ServingMetrics metrics) {
    this.index = index;
    this.metrics = metrics;
  }

  public ItemIndex index() {
    return index;
  }

  /**
   * One list.
   *
   * @param embedding  the user's embedding, or {@code null}
   * @param history    the user's interactions, or {@code null}
   * @param popularity fallback source, or {@code null} (then the fallback list is empty)
   * @param trigger    why the list is produced; {@code null} for an HTTP answer (reported as REQUEST)
   */
  public Recommendations recommend(final String userId, final EmbeddingUpdate embedding, final UserHistory history,
                                   final int k, final Trigger trigger, final String requestId,
                                   final PopularityTracker popularity, final ItemIndex.Scratch scratch,
                                   final long nowMs) {
    final List<String> seen = history == null ? List.of() : history.items();
    final Long userEventTime = history == null ? null : history.newestOrNull();
    final long t0 = System.nanoTime();
    final boolean personal = embedding != null && embedding.getVector().size() == index.dimension()
        && index.liveItems() > 0;
    final List<ScoredItem> items;
    final long modelVersion;
    if (personal) {
      final ItemIndex.Hits hits = index.search(EmbeddingRules.toArray(embedding), seen, k, scratch);
      metrics.topK(index.approximate() ? "approx" : "exact", System.nanoTime() - t0);
      items = hits.items();
      modelVersion = Math.max(embedding.getModelVersion(), hits.maxItemVersion());
      metrics.freshness(nowMs, embedding.getEventTime().toEpochMilli(), userEventTime);
    } else {
      items = popularity == null ? List.of() : popularity.top(k, seen);
      metrics.topK("fallback", System.nanoTime() - t0);
      modelVersion = -1L;
    }
    metrics.emitted(trigger, !personal);
    return Recommendations.newBuilder()
        .setUserId(userId)
        .setItems(items)
        .setModelVersion(modelVersion)
        .setGeneratedAt(Instant.ofEpochMilli(nowMs))
        .setRequestId(requestId)
        .setTrigger(trigger == null ? Trigger.REQUEST : trigger)
        .setFallback(!personal)
        .setUserEventTime(userEventTime == null ? null : Instant.ofEpochMilli(userEventTime))
        .setEmbeddingEventTime(embedding == null ? null : embedding.getEventTime())
        .build();
  }
}
