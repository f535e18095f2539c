package io.streamrec.streams.serving;

/**
 * Lucene HNSW parameters of the approximate item index.
 *
 * @param maxConn neighbours per node (HNSW's M), at least 2
 * @param beamWidth candidates kept while inserting a node (efConstruction)
 * @param efSearch candidates kept while searching (the search uses {@code max(k, efSearch)})
 * @param seed level-assignment seed, fixed so builds are reproducible
 */
public record AnnParams(int maxConn, int beamWidth, int efSearch, long seed) {
  /** M=16, efConstruction=100, efSearch=100. */
  public static final AnnParams DEFAULT = new AnnParams(16, 100, 100, 42L);

  public AnnParams {
    if (maxConn < 2 || beamWidth < 1 || efSearch < 1) {
      throw new IllegalArgumentException(
          "HNSW params must be positive with maxConn >= 2, were maxConn="
              + maxConn
              + " beamWidth="
              + beamWidth
              + " efSearch="
              + efSearch);
    }
  }
}
