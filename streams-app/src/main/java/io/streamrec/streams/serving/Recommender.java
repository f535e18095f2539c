package io.streamrec.streams.serving;

import io.streamrec.avro.Trigger;
import io.streamrec.numeric.Packed;
import java.util.Set;

/**
 * Turns a user's state into a {@link ServedList}: personalised from the item search when the user
 * has a vector of the matrix dimension and the matrix has items; otherwise the fallback, popularity
 * over the whole stream ({@code fallback=true}, {@code modelVersion=-1}). Seen items are excluded
 * either way.
 *
 * <p>Scoring is {@code dot(u, v_i) + b_i}, where {@code b_i} is the matrix's per-item additive
 * column (the item bias; a further per-item term is added to that column). {@code modelVersion} of
 * a personalised list is the maximum of the user row's version and the versions of the item rows
 * returned. Thread-safe if each caller passes its own {@link ItemSearch.Scratch}.
 */
public final class Recommender {
  private final ItemSearch search;
  private final GlobalPopularity popularity;
  private final ServingMetrics metrics;

  public Recommender(
      final ItemSearch search, final GlobalPopularity popularity, final ServingMetrics metrics) {
    this.search = search;
    this.popularity = popularity;
    this.metrics = metrics;
  }

  /**
   * One list.
   *
   * @param vector the user's vector, or {@code null}
   * @param history the user's interactions, or {@code null}
   * @param trigger why the list is produced; {@code null} for an HTTP answer
   * @param nowMs the caller's wall clock (the processor context's system time, or the route's
   *     clock)
   */
  public ServedList recommend(
      final String userId,
      final UserVector vector,
      final UserHistory history,
      final int k,
      final Trigger trigger,
      final String requestId,
      final int coalescedEvents,
      final long nowMs,
      final ItemSearch.Scratch scratch) {
    final Set<String> seen = history == null ? Set.of() : history.seen();
    final Long userEventTime = history == null ? null : history.newestOrNull();
    final ItemMatrix matrix = search.matrix();
    final long t0 = System.nanoTime();
    final boolean personal =
        vector != null && vector.vector().length == matrix.dimension() && matrix.liveItems() > 0;
    final String[] ids;
    final float[] scores;
    final long modelVersion;
    if (personal) {
      final int n = search.search(vector.vector(), seen, k, scratch);
      ids = new String[n];
      scores = new float[n];
      long maxVersion = vector.modelVersion();
      final long[] packed = scratch.results();
      for (int i = 0; i < n; i++) {
        final int row = Packed.id(packed[i]);
        ids[i] = matrix.id(row);
        scores[i] = Packed.score(packed[i]);
        maxVersion = Math.max(maxVersion, matrix.version(row));
      }
      metrics.topK(search.approximate() ? "approx" : "exact", System.nanoTime() - t0);
      modelVersion = maxVersion;
      metrics.freshness(nowMs, vector.eventTimeMs(), userEventTime);
    } else {
      final GlobalPopularity.Top top = popularity.top(k, seen);
      ids = top.ids();
      scores = top.scores();
      metrics.topK("fallback", System.nanoTime() - t0);
      modelVersion = -1L;
    }
    metrics.emitted(trigger, !personal);
    return new ServedList(
        userId,
        ids,
        scores,
        modelVersion,
        nowMs,
        requestId,
        trigger,
        !personal,
        userEventTime,
        vector == null ? null : vector.eventTimeMs(),
        coalescedEvents);
  }
}
