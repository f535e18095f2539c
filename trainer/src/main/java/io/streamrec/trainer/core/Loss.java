package io.streamrec.trainer.core;

/** Training losses over a row of logits where exactly one column is the positive. */
public enum Loss {
  /**
   * The tutorial's: sigmoid binary cross-entropy, positive label 1 and negatives 0, mean over all
   * cells.
   */
  BCE,
  /**
   * Bayesian personalised ranking: mean of {@code softplus(s_neg - s_pos)} over the (positive,
   * negative) pairs.
   */
  BPR,
  /**
   * Sampled softmax: cross-entropy of the positive against the row (with logQ correction when
   * enabled).
   */
  SOFTMAX
}
