package io.streamrec.ops.eval;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Non-learning recommenders computed on the same split, for the evaluation table. All exclude the
 * user's train items and break score ties by item id, so results are deterministic.
 */
public final class Baselines {
  private Baselines() {}

  /** Uniformly random unseen train items (seeded). */
  public static Map<String, List<String>> random(
      TutorialSplit.Split split, Collection<String> users, int k, long seed) {
    List<String> items = new ArrayList<>(split.trainItems());
    items.sort(String::compareTo);
    Map<String, Set<String>> seen = split.seenItems();
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String u : users) {
      Set<String> s = seen.getOrDefault(u, Set.of());
      List<String> pool = new ArrayList<>(items);
      pool.removeAll(s);
      List<String> recs = new ArrayList<>(k);
      for (int i = 0; i < k && !pool.isEmpty(); i++) {
        int j = i + rnd.nextInt(pool.size() - i);
        String tmp = pool.get(i);
        pool.set(i, pool.get(j));
        pool.set(j, tmp);
        recs.add(pool.get(i));
        if (i + 1 >= pool.size()) {
          break;
        }
      }
      out.put(u, recs);
    }
    return out;
  }

  /** Most-rated train items overall. */
  public static Map<String, List<String>> popularity(
      TutorialSplit.Split split, Collection<String> users, int k) {
    return byCount(split, users, k, Long.MIN_VALUE);
  }

  /**
   * Most-rated train items within {@code window} before the split time (the spec's "recent
   * popularity").
   */
  public static Map<String, List<String>> recentPopularity(
      TutorialSplit.Split split, Collection<String> users, int k, Duration window) {
    return byCount(split, users, k, split.testStartMillis() - window.toMillis());
  }

  private static Map<String, List<String>> byCount(
      TutorialSplit.Split split, Collection<String> users, int k, long sinceMillis) {
    Map<String, Integer> counts = new HashMap<>();
    for (Interaction i : split.train()) {
      if (i.timestamp() >= sinceMillis) {
        counts.merge(i.itemId(), 1, Integer::sum);
      }
    }
    List<String> ranked = new ArrayList<>(counts.keySet());
    ranked.sort(
        (a, b) -> {
          int c = Integer.compare(counts.get(b), counts.get(a));
          return c != 0 ? c : a.compareTo(b);
        });
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String u : users) {
      Set<String> s = seen.getOrDefault(u, Set.of());
      List<String> recs = new ArrayList<>(k);
      for (String item : ranked) {
        if (recs.size() == k) {
          break;
        }
        if (!s.contains(item)) {
          recs.add(item);
        }
      }
      out.put(u, recs);
    }
    return out;
  }
}
