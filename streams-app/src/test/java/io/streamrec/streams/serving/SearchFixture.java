package io.streamrec.streams.serving;

import io.streamrec.avro.ScoredItem;
import io.streamrec.numeric.Packed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Test and benchmark support: an item matrix with its ANN maintainer and search, results as
 * id/score lists.
 */
public final class SearchFixture implements AutoCloseable {
  /** A search result: items best first, and the newest model version among them (-1 when empty). */
  public record Hits(List<ScoredItem> items, long maxItemVersion) {}

  private final ItemMatrix matrix;
  private final AnnMaintainer ann;
  private final ItemSearch search;

  public SearchFixture(final int dim, final int annMinItems, final AnnParams params) {
    matrix = new ItemMatrix(dim);
    ann = new AnnMaintainer(matrix, annMinItems, params);
    search = new ItemSearch(matrix, ann);
  }

  public static SearchFixture exact(final int dim) {
    return new SearchFixture(dim, Integer.MAX_VALUE, AnnParams.DEFAULT);
  }

  public void upsert(final String id, final float[] v, final float bias, final long version) {
    matrix.upsert(id, v, bias, version);
    ann.afterUpdate();
  }

  public void delete(final String id) {
    matrix.delete(id);
  }

  public int dimension() {
    return matrix.dimension();
  }

  public int liveItems() {
    return matrix.liveItems();
  }

  public boolean approximate() {
    return ann.approximate();
  }

  public boolean buildAnnNow() {
    return ann.buildNow();
  }

  public Hits search(
      final float[] q, final Collection<String> exclude, final int k, final ItemSearch.Scratch s) {
    return hits(search.search(q, exclude, k, s), s);
  }

  public Hits searchExact(
      final float[] q, final Collection<String> exclude, final int k, final ItemSearch.Scratch s) {
    return hits(search.searchExact(q, exclude, k, s), s);
  }

  private Hits hits(final int n, final ItemSearch.Scratch s) {
    final List<ScoredItem> out = new ArrayList<>(n);
    long max = -1;
    for (int i = 0; i < n; i++) {
      final int row = Packed.id(s.results()[i]);
      out.add(new ScoredItem(matrix.id(row), Packed.score(s.results()[i])));
      max = Math.max(max, matrix.version(row));
    }
    return new Hits(out, max);
  }

  @Override
  public void close() {
    ann.close();
  }
}
