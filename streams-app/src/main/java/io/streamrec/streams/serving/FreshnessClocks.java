package io.streamrec.streams.serving;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two freshness clocks of docs/evaluation.md, measured in serving per interaction, in
 * wall-clock time from the interaction's arrival in Kafka (the record timestamp the ratings
 * producer set, which ingest keeps) to the list that reflects it:
 *
 * <ul>
 *   <li><em>reaction</em> ({@code streamrec.serving.reaction}): to the first list emitted for the
 *       user after the interaction reached serving (that list excludes its item);
 *   <li><em>model</em> ({@code streamrec.serving.model}): to the first list computed from a user
 *       vector whose event time is at or after the interaction's (the vector learned from it).
 * </ul>
 *
 * Per task, in memory: at most {@code maxUsers} users (least recently seen dropped) and {@value
 * #MAX_PENDING} interactions per user waiting for each clock (oldest dropped); after a task restart
 * the interactions that were waiting are not measured. A frozen model never reflects new
 * interactions, so its model clock records nothing.
 */
final class FreshnessClocks {
  static final int MAX_PENDING = 256;

  /**
   * Interactions of one user waiting for a list: record timestamps, and (event time, record
   * timestamp) pairs.
   */
  private static final class Waiting {
    final ArrayDeque<Long> reaction = new ArrayDeque<>();
    final ArrayDeque<long[]> model = new ArrayDeque<>();
  }

  private final ServingMetrics metrics;
  private final Map<String, Waiting> users;

  FreshnessClocks(final ServingMetrics metrics, final int maxUsers) {
    this.metrics = metrics;
    this.users =
        new LinkedHashMap<>(1024, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(final Map.Entry<String, Waiting> eldest) {
            return size() > maxUsers;
          }
        };
  }

  /**
   * An interaction of {@code user} at event time {@code eventTimeMs} reached serving; it arrived at
   * {@code arrivedMs}.
   */
  void arrived(final String user, final long eventTimeMs, final long arrivedMs) {
    final Waiting w = users.computeIfAbsent(user, u -> new Waiting());
    if (w.reaction.size() == MAX_PENDING) {
      w.reaction.pollFirst();
    }
    w.reaction.addLast(arrivedMs);
    if (w.model.size() == MAX_PENDING) {
      w.model.pollFirst();
    }
    w.model.addLast(new long[] {eventTimeMs, arrivedMs});
  }

  /**
   * A list for {@code user} was emitted at {@code nowMs}, from a vector of event time {@code
   * vectorEventTimeMs}.
   */
  void emitted(final String user, final Long vectorEventTimeMs, final long nowMs) {
    final Waiting w = users.get(user);
    if (w == null) {
      return;
    }
    for (Long t; (t = w.reaction.pollFirst()) != null; ) {
      metrics.reaction(ServingMetrics.clampedSpanMs(nowMs, t));
    }
    if (vectorEventTimeMs != null) {
      // interactions arrive in event-time order per user; one whose event time the vector has
      // reached is reflected
      while (!w.model.isEmpty() && w.model.peekFirst()[0] <= vectorEventTimeMs) {
        metrics.model(ServingMetrics.clampedSpanMs(nowMs, w.model.pollFirst()[1]));
      }
    }
    if (w.model.isEmpty()) {
      users.remove(user);
    }
  }
}
