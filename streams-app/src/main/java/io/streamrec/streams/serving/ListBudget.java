package io.streamrec.streams.serving;

/**
 * A token bucket on the wall clock: at most {@code perSecond} lists per second, in bursts of up to
 * a tenth of that (at least one). It bounds what emitting at once can cost a task when a burst of
 * fresh records arrives (a replay as fast as possible, before the records are old enough to be
 * coalesced).
 */
final class ListBudget {
  private final double perMs;
  private final double capacity;
  private double tokens;
  private long atMs;

  ListBudget(final int perSecond, final long nowMs) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be >= 1, was " + perSecond);
    }
    this.perMs = perSecond / 1000.0;
    this.capacity = Math.max(1.0, perSecond / 10.0);
    this.tokens = capacity;
    this.atMs = nowMs;
  }

  /** Takes one list from the budget at {@code nowMs}; false when the budget is spent. */
  boolean take(final long nowMs) {
    if (nowMs > atMs) {
      tokens = Math.min(capacity, tokens + (nowMs - atMs) * perMs);
      atMs = nowMs;
    }
    if (tokens >= 1.0) {
      tokens -= 1.0;
      return true;
    }
    return false;
  }
}
