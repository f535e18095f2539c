package io.streamrec.trainer.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Past positives kept for replay, in two parts: a ring of the {@code recentCapacity} newest
 * examples (what tracks the present: recency matters a lot for ratings) and a uniform reservoir
 * sample of everything seen (Vitter's algorithm R, which keeps old but still valid preferences from
 * being forgotten).
 *
 * <p>Examples are stored as parallel primitive arrays (user row, item row, event time). Not
 * thread-safe.
 */
public final class ReplayBuffer {
  private final int[] recentUser;
  private final int[] recentItem;
  private final long[] recentTime;
  private final int[] resUser;
  private final int[] resItem;
  private final long[] resTime;
  private long seen;
  private int recentSize;
  private int recentHead;
  private int resSize;

  public ReplayBuffer(int recentCapacity, int reservoirCapacity) {
    recentUser = new int[recentCapacity];
    recentItem = new int[recentCapacity];
    recentTime = new long[recentCapacity];
    resUser = new int[reservoirCapacity];
    resItem = new int[reservoirCapacity];
    resTime = new long[reservoirCapacity];
  }

  /** Adds one positive. */
  public void add(int user, int item, long time, SplittableRandom rnd) {
    seen++;
    if (recentUser.length > 0) {
      recentUser[recentHead] = user;
      recentItem[recentHead] = item;
      recentTime[recentHead] = time;
      recentHead = (recentHead + 1) % recentUser.length;
      recentSize = Math.min(recentSize + 1, recentUser.length);
    }
    if (resUser.length > 0) {
      int slot;
      if (resSize < resUser.length) {
        slot = resSize++;
      } else {
        long j = rnd.nextLong(seen);
        slot = j < resUser.length ? (int) j : -1;
      }
      if (slot >= 0) {
        resUser[slot] = user;
        resItem[slot] = item;
        resTime[slot] = time;
      }
    }
  }

  public boolean isEmpty() {
    return recentSize == 0 && resSize == 0;
  }

  public int recentSize() {
    return recentSize;
  }

  public int reservoirSize() {
    return resSize;
  }

  /**
   * Draws one stored example into {@code out} = {user, item} and returns its event time; from the
   * recent ring with probability {@code recentFraction} (when both parts hold something).
   */
  public long sample(SplittableRandom rnd, double recentFraction, int[] out) {
    boolean recent = resSize == 0 || (recentSize > 0 && rnd.nextDouble() < recentFraction);
    if (recent) {
      int i = rnd.nextInt(recentSize);
      out[0] = recentUser[i];
      out[1] = recentItem[i];
      return recentTime[i];
    }
    int i = rnd.nextInt(resSize);
    out[0] = resUser[i];
    out[1] = resItem[i];
    return resTime[i];
  }

  /**
   * The content for a checkpoint: recent examples oldest first, then the reservoir, and the seen
   * count.
   */
  public State state() {
    int n = recentSize;
    int[] ru = new int[n];
    int[] ri = new int[n];
    long[] rt = new long[n];
    int start = (recentHead - recentSize + recentUser.length) % Math.max(1, recentUser.length);
    for (int k = 0; k < n; k++) {
      int i = (start + k) % recentUser.length;
      ru[k] = recentUser[i];
      ri[k] = recentItem[i];
      rt[k] = recentTime[i];
    }
    return new State(
        seen,
        ru,
        ri,
        rt,
        Arrays.copyOf(resUser, resSize),
        Arrays.copyOf(resItem, resSize),
        Arrays.copyOf(resTime, resSize));
  }

  /** Restores a checkpointed content (truncated to this buffer's capacities). */
  public void restore(State st) {
    recentSize = 0;
    recentHead = 0;
    resSize = 0;
    int from = Math.max(0, st.recentUser().length - recentUser.length);
    for (int k = from; k < st.recentUser().length; k++) {
      recentUser[recentHead] = st.recentUser()[k];
      recentItem[recentHead] = st.recentItem()[k];
      recentTime[recentHead] = st.recentTime()[k];
      recentHead = (recentHead + 1) % recentUser.length;
      recentSize++;
    }
    int n = Math.min(resUser.length, st.resUser().length);
    System.arraycopy(st.resUser(), 0, resUser, 0, n);
    System.arraycopy(st.resItem(), 0, resItem, 0, n);
    System.arraycopy(st.resTime(), 0, resTime, 0, n);
    resSize = n;
    seen = st.seen();
  }

  /** Saved buffer content. */
  public record State(
      long seen,
      int[] recentUser,
      int[] recentItem,
      long[] recentTime,
      int[] resUser,
      int[] resItem,
      long[] resTime) {}
}
