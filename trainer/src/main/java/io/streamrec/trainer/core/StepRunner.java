package io.streamrec.trainer.core;

import ai.djl.Device;

/**
 * One optimizer step on an assembled {@link MiniBatch}: the engine's loss and gradients ({@link
 * TwoTowerStep}), then lazy Adam on the batch's rows ({@link ModelOptimizer}) unless the loss is
 * not finite. Counts the steps applied and the batches skipped, and reports every step to the
 * {@link OnlineLearner.StepListener}. Not thread-safe, like the learner that owns it.
 */
final class StepRunner implements AutoCloseable {
  private final TwoTowerStep engine;
  private final ModelOptimizer optimizer;
  private final Loss loss;
  private final TwoTowerStep.Result result = new TwoTowerStep.Result();
  private OnlineLearner.StepListener listener = (p, l, n, sk) -> {};
  private long steps;
  private long skipped;
  private float lastLoss = Float.NaN;

  StepRunner(TwoTowerModel model, Device device, Loss loss) {
    this.engine = new TwoTowerStep(device);
    this.optimizer = new ModelOptimizer(model);
    this.loss = loss;
  }

  /**
   * Runs the step on {@code mb} ({@code n} positives, assembled from {@code startNanos} on); with
   * {@code usersOnly} Adam updates only the user rows.
   *
   * @return the batch loss (NaN/Inf when the batch was skipped)
   */
  float run(MiniBatch mb, int n, boolean usersOnly, long startNanos) {
    engine.step(mb, loss, result);
    lastLoss = result.loss;
    boolean ok = Float.isFinite(result.loss);
    if (ok) {
      steps++;
      optimizer.apply(mb, result, steps, usersOnly);
    } else {
      skipped++;
    }
    listener.onStep(n, result.loss, System.nanoTime() - startNanos, !ok);
    return result.loss;
  }

  void setListener(OnlineLearner.StepListener listener) {
    this.listener = listener;
  }

  /** Continues the counts of a restored learner. */
  void restoreCounts(long steps, long skipped) {
    this.steps = steps;
    this.skipped = skipped;
  }

  long steps() {
    return steps;
  }

  long skipped() {
    return skipped;
  }

  float lastLoss() {
    return lastLoss;
  }

  Device device() {
    return engine.device();
  }

  int liveArrays() {
    return engine.liveArrays();
  }

  @Override
  public void close() {
    engine.close();
  }
}
