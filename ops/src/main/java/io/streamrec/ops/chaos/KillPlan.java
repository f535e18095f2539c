package io.streamrec.ops.chaos;

import io.streamrec.ops.chaos.ChaosSystem.Service;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * When to kill what during a replay, drawn from a seed: the kills are spread over the middle 80% of
 * the replay (the range is cut into one slot per kill and each kill falls at a uniformly drawn
 * rating inside its slot, so two kills never coincide), and the order of the services over the
 * slots is a seeded shuffle.
 */
public final class KillPlan {

  /** Kill {@code service} just before the rating with index {@code atRating} is sent. */
  public record Kill(int index, Service service, long atRating) {}

  private KillPlan() {}

  public static List<Kill> draw(
      long seed, long ratings, int streamsKills, int trainerKills, int brokerKills) {
    if (streamsKills < 0 || trainerKills < 0 || brokerKills < 0) {
      throw new IllegalArgumentException("kill counts must be >= 0");
    }
    List<Service> order = new ArrayList<>();
    for (int i = 0; i < streamsKills; i++) {
      order.add(Service.STREAMS_APP);
    }
    for (int i = 0; i < trainerKills; i++) {
      order.add(Service.TRAINER);
    }
    for (int i = 0; i < brokerKills; i++) {
      order.add(Service.BROKER);
    }
    Random r = new Random(seed);
    Collections.shuffle(order, r);
    int n = order.size();
    if (n > 0 && ratings < 10L * n) {
      throw new IllegalArgumentException("too few ratings (" + ratings + ") for " + n + " kills");
    }
    double lo = 0.1 * ratings;
    double slot = 0.8 * ratings / Math.max(1, n);
    List<Kill> kills = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long at = (long) (lo + slot * i + r.nextDouble() * slot);
      kills.add(new Kill(i + 1, order.get(i), at));
    }
    return List.copyOf(kills);
  }
}
