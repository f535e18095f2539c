package io.streamrec.streams.serving.bench;

import io.streamrec.avro.ScoredItem;
import io.streamrec.streams.serving.AnnParams;
import io.streamrec.streams.serving.ItemSearch;
import io.streamrec.streams.serving.SearchFixture;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Approximate (Lucene HNSW) versus exact top-10: HNSW build time, mean latency of both paths, and
 * recall@10 (share of the exact top-10 the approximate search returns), on {@code items x dim}
 * rows.
 *
 * <p>Arguments: {@code items dim [queries] [M] [efConstruction] [efSearch] [clusters]}. With {@code
 * clusters > 0} rows are drawn around that many Gaussian centres (closer to trained embeddings,
 * which are clustered); with 0 they are isotropic Gaussian (the hard case for any graph index).
 */
public final class AnnRecallBench {
  private AnnRecallBench() {}

  public static void main(final String[] args) {
    final int n = Integer.parseInt(args[0]);
    final int dim = Integer.parseInt(args[1]);
    final int queries = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    final AnnParams params =
        new AnnParams(
            args.length > 3 ? Integer.parseInt(args[3]) : 16,
            args.length > 4 ? Integer.parseInt(args[4]) : 100,
            args.length > 5 ? Integer.parseInt(args[5]) : 100,
            42L);
    final int clusters = args.length > 6 ? Integer.parseInt(args[6]) : 0;
    final SplittableRandom rnd = new SplittableRandom(5);
    final float[][] centres = new float[Math.max(1, clusters)][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = clusters > 0 ? (float) rnd.nextGaussian() * 2 : 0f;
      }
    }
    final SearchFixture index = new SearchFixture(dim, Integer.MAX_VALUE, params);
    final float[] v = new float[dim];
    for (int i = 0; i < n; i++) {
      final float[] c = centres[rnd.nextInt(centres.length)];
      for (int d = 0; d < dim; d++) {
        v[d] = c[d] + (float) rnd.nextGaussian();
      }
      index.upsert(Integer.toString(i), v, (float) rnd.nextGaussian() * 0.1f, 1);
    }
    final long b0 = System.nanoTime();
    index.buildAnnNow();
    final double buildS = (System.nanoTime() - b0) / 1e9;
    final float[][] qs = new float[queries][dim];
    for (float[] q : qs) {
      final float[] c = centres[rnd.nextInt(centres.length)];
      for (int d = 0; d < dim; d++) {
        q[d] = c[d] + (float) rnd.nextGaussian();
      }
    }
    final ItemSearch.Scratch scratch = new ItemSearch.Scratch();
    for (int w = 0; w < Math.min(queries, 50); w++) {
      index.search(qs[w], List.of(), 10, scratch);
      index.searchExact(qs[w], List.of(), 10, scratch);
    }
    long exactNs = 0;
    long approxNs = 0;
    int hits = 0;
    for (float[] q : qs) {
      long t0 = System.nanoTime();
      final List<ScoredItem> exact = index.searchExact(q, List.of(), 10, scratch).items();
      long t1 = System.nanoTime();
      final List<ScoredItem> approx = index.search(q, List.of(), 10, scratch).items();
      long t2 = System.nanoTime();
      exactNs += t1 - t0;
      approxNs += t2 - t1;
      final Set<String> e = new HashSet<>();
      exact.forEach(s -> e.add(s.getItemId()));
      for (ScoredItem s : approx) {
        if (e.contains(s.getItemId())) {
          hits++;
        }
      }
    }
    System.out.printf(
        "items=%d dim=%d clusters=%d M=%d efC=%d efS=%d build=%.1fs exact=%.3fms approx=%.3fms "
            + "recall@10=%.4f%n",
        n,
        dim,
        clusters,
        params.maxConn(),
        params.beamWidth(),
        params.efSearch(),
        buildS,
        exactNs / 1e6 / queries,
        approxNs / 1e6 / queries,
        hits / (10.0 * queries));
    index.close();
  }
}
