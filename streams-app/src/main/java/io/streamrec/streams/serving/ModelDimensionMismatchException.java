package io.streamrec.streams.serving;

/**
 * A well-formed embedding row (its vector as long as the dimension it declares) from a model whose
 * dimension differs from the one serving's stored index was built with. The embedding dimension is
 * part of the model contract ({@code EmbeddingUpdate.dimension}, from {@code
 * trainer.embedding.dim}), so this is not one bad record to dead-letter but a model change the
 * stored state cannot follow: serving fails, and the message says how to recover.
 */
public final class ModelDimensionMismatchException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final int modelDimension;
  private final int indexDimension;

  ModelDimensionMismatchException(
      final String id,
      final long modelVersion,
      final int modelDimension,
      final int indexDimension) {
    super(
        "model dimension "
            + modelDimension
            + " (row "
            + id
            + ", model version "
            + modelVersion
            + ") differs from the stored index dimension "
            + indexDimension
            + ": run the trainer with trainer.embedding.dim="
            + indexDimension
            + " again, or reset serving for the new model: stop it, delete the user- and"
            + " item-embedding topics (or use a new topics.suffix) and serving.state.dir, then"
            + " restart it");
    this.modelDimension = modelDimension;
    this.indexDimension = indexDimension;
  }

  /** The dimension the row's model declared. */
  public int modelDimension() {
    return modelDimension;
  }

  /** The dimension of serving's stored item index. */
  public int indexDimension() {
    return indexDimension;
  }
}
