package io.streamrec.trainer.core;

/**
 * Which rows of the model a step's gradients update, and with which lazy Adam: the batch's user
 * rows (at {@code trainer.lr}, or at the flush rate in a users-only step), the item rows and biases
 * (one dense pass when every item is a candidate in table order), and the popularity weight alpha
 * when it is learned. The Adam moments live in the tables, so the two user rates share them.
 */
final class ModelOptimizer {
  private final TwoTowerModel model;
  private final LazyAdam userAdam;
  private final LazyAdam flushUserAdam;
  private final LazyAdam itemAdam;
  private final LazyAdam alphaAdam;
  private final float[] alphaGrad = new float[1];

  ModelOptimizer(TwoTowerModel model) {
    LearnerSettings s = model.s;
    this.model = model;
    this.userAdam =
        new LazyAdam(new LazyAdam.Settings(s.lr(), 0f, 0.9f, 0.999f, 1e-8f, s.l2(), 0f));
    this.flushUserAdam =
        new LazyAdam(
            new LazyAdam.Settings(s.effectiveFlushLr(), 0f, 0.9f, 0.999f, 1e-8f, s.l2(), 0f));
    this.itemAdam =
        new LazyAdam(
            new LazyAdam.Settings(s.lr(), s.biasLr(), 0.9f, 0.999f, 1e-8f, s.l2(), s.biasL2()));
    this.alphaAdam =
        s.popularityLr() > 0
            ? new LazyAdam(new LazyAdam.Settings(s.popularityLr(), 0f, 0.9f, 0.999f, 1e-8f, 0f, 0f))
            : null;
  }

  /** Applies step {@code step}'s gradients ({@code usersOnly}: the user rows alone). */
  void apply(MiniBatch mb, TwoTowerStep.Result result, long step, boolean usersOnly) {
    int d = model.s.dim();
    LazyAdam users = usersOnly ? flushUserAdam : userAdam;
    for (int l = 0; l < mb.distinctUsers(); l++) {
      users.update(model.userTable, mb.userRow(l), result.gradUser, l * d, 0f, step);
    }
    if (usersOnly) {
      return;
    }
    if (mb.full && !mb.shared) {
      // every item row is a candidate, in table order: one dense pass
      itemAdam.updateAll(
          model.itemTable, mb.distinctItems(), result.gradItem, result.gradBias, step);
    } else {
      for (int l = 0; l < mb.distinctItems(); l++) {
        itemAdam.update(
            model.itemTable, mb.itemRow(l), result.gradItem, l * d, result.gradBias[l], step);
      }
    }
    if (mb.popularity && alphaAdam != null) {
      alphaGrad[0] = result.gradAlpha;
      alphaAdam.update(model.alphaTable, 0, alphaGrad, 0, 0f, step);
    }
  }
}
