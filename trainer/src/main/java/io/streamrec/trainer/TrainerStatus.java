package io.streamrec.trainer;

/**
 * What the loop thread reports to other threads (metrics, {@link TrainerService}'s getters); plain
 * volatile fields.
 */
final class TrainerStatus {
  volatile long modelVersion;
  volatile long examplesTrained;
  volatile long lag = -1;
  volatile boolean idle;
  volatile int userRows;
  volatile int itemRows;
}
