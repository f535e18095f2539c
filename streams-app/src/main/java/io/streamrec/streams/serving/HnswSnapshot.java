package io.streamrec.streams.serving;

import io.streamrec.numeric.Dot;
import io.streamrec.numeric.LongHeap;
import io.streamrec.numeric.Packed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * A Lucene HNSW graph over the item rows {@code [0, size)} as they were when it was built, for
 * maximum inner product search of {@code dot(u, v) + b}.
 *
 * <p>Bias and inner product: rows are augmented to item {@code [v, b]} and query {@code [u, 1]}, so
 * the inner product of the augmented vectors is exactly the score {@code dot(u, v) + b}, and the
 * graph is built and searched with that inner product directly (Lucene's {@code
 * MAXIMUM_INNER_PRODUCT}, "ip-NSW"); the augmentation is implicit (item-item similarity {@code
 * dot(v, v') + b * b'}, query-item {@code dot(u, v) + b}), nothing is copied. Scores are mapped to
 * positive values with Lucene's monotone MIP scaling ({@code s < 0 ? 1/(1-s) : s+1}) before they
 * reach the graph code; results are re-scored exactly. The MIP-to-nearest-neighbour transform
 * (Bachrach et al. 2014: item {@code [v, b, sqrt(M^2 - |v|^2 - b^2)]}, query {@code [u, 1, 0]}) was
 * measured too and lost badly (recall@10 0.38 vs 0.91 on 20k x 64 isotropic Gaussian rows, M=16,
 * ef=100; see docs/serving.md), because transformed queries lie far off the sphere the items were
 * put on.
 *
 * <p>Searches read the live vectors (not the copy the graph was built from), so updated rows are
 * scored with their current values; only the graph's edges are stale. Safe for concurrent searches:
 * each search uses its own cursor over the shared, immutable graph.
 */
final class HnswSnapshot {

  private final OnHeapHnswGraph graph;
  private final int size;
  private final int efSearch;

  private HnswSnapshot(final OnHeapHnswGraph graph, final int size, final int efSearch) {
    this.graph = graph;
    this.size = size;
    this.efSearch = efSearch;
  }

  /** Rows covered by the graph. */
  int size() {
    return size;
  }

  /**
   * Builds a graph over {@code n} rows of {@code vectors} ({@code [n, dim]} row-major) and {@code
   * bias}.
   */
  static HnswSnapshot build(
      final float[] vectors, final float[] bias, final int n, final int dim, final AnnParams p) {
    final RandomVectorScorerSupplier supplier =
        new RandomVectorScorerSupplier() {
          @Override
          public RandomVectorScorer scorer(final int ord) {
            final int off = ord * dim;
            return new RandomVectorScorer() {
              @Override
              public float score(final int other) {
                return scale(
                    Dot.dot(vectors, off, vectors, other * dim, dim) + bias[ord] * bias[other]);
              }

              @Override
              public int maxOrd() {
                return n;
              }
            };
          }

          @Override
          public RandomVectorScorerSupplier copy() {
            return this;
          }
        };
    try {
      final HnswGraphBuilder builder =
          HnswGraphBuilder.create(supplier, p.maxConn(), p.beamWidth(), p.seed());
      return new HnswSnapshot(builder.build(n), n, p.efSearch());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Offers the graph's best rows for {@code query} (scored live, excluded rows skipped) to the
   * min-heap {@code heap} of capacity {@code k}; returns the heap size.
   */
  int search(
      final float[] query,
      final float[] vectors,
      final float[] bias,
      final int dim,
      final int[] excluded,
      final int exCount,
      final int k,
      final long[] heap) {
    final RandomVectorScorer scorer =
        new RandomVectorScorer() {
          @Override
          public float score(final int ord) {
            return scale(Dot.dot(query, 0, vectors, ord * dim, dim) + bias[ord]);
          }

          @Override
          public int maxOrd() {
            return size;
          }
        };
    final Bits accept =
        exCount == 0
            ? null
            : new Bits() {
              @Override
              public boolean get(final int index) {
                return Arrays.binarySearch(excluded, 0, exCount, index) < 0;
              }

              @Override
              public int length() {
                return size;
              }
            };
    final TopKnnCollector collector = new TopKnnCollector(Math.max(k, efSearch), Integer.MAX_VALUE);
    try {
      HnswGraphSearcher.search(scorer, collector, new Cursor(graph), accept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int n = 0;
    for (ScoreDoc sd : collector.topDocs().scoreDocs) {
      final int row = sd.doc;
      n =
          LongHeap.offer(
              heap, n, k, Packed.pack(Dot.dot(query, 0, vectors, row * dim, dim) + bias[row], row));
    }
    return n;
  }

  /** Lucene's maximum-inner-product scaling: monotone, and positive as the graph code expects. */
  static float scale(final float s) {
    return s < 0 ? 1 / (1 - s) : s + 1;
  }

  /**
   * A private neighbour cursor over a shared graph ({@link OnHeapHnswGraph}'s own cursor is not
   * thread-safe).
   */
  private static final class Cursor extends HnswGraph {
    private final OnHeapHnswGraph graph;
    private NeighborArray current;
    private int upto;

    Cursor(final OnHeapHnswGraph graph) {
      this.graph = graph;
    }

    @Override
    public void seek(final int level, final int target) {
      current = graph.getNeighbors(level, target);
      upto = -1;
    }

    @Override
    public int size() {
      return graph.size();
    }

    @Override
    public int maxNodeId() {
      return graph.maxNodeId();
    }

    @Override
    public int nextNeighbor() {
      if (++upto < current.size()) {
        return current.nodes()[upto];
      }
      return DocIdSetIterator.NO_MORE_DOCS;
    }

    @Override
    public int numLevels() {
      return graph.numLevels();
    }

    @Override
    public int entryNode() {
      return graph.entryNode();
    }

    @Override
    public NodesIterator getNodesOnLevel(final int level) {
      return graph.getNodesOnLevel(level);
    }
  }
}
