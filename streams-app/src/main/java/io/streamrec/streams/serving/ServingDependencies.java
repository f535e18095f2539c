package io.streamrec.streams.serving;

import io.micrometer.core.instrument.Gauge;
import java.time.Clock;

/**
 * Everything the serving topology and its HTTP route use besides Kafka Streams' own stores, passed
 * explicitly: the item matrix (fed by the global item store), its ANN maintainer and search, the
 * whole-stream popularity (fed by the global popularity store), the recommender, the meters, where
 * the global processors write dead letters, and the wall clock of the HTTP route (processors take
 * time from their context). The service and the tests build them with {@link #create} and the
 * topology with {@link ServingTopology#build(ServingDependencies)}.
 */
public record ServingDependencies(
    ServingConfig config,
    ItemMatrix items,
    AnnMaintainer ann,
    ItemSearch search,
    GlobalPopularity popularity,
    Recommender recommender,
    ServingMetrics metrics,
    DeadLetterSink globalDeadLetters,
    Clock clock)
    implements AutoCloseable {

  /** The dependencies of one serving instance. */
  public static ServingDependencies create(
      final ServingConfig config,
      final ServingMetrics metrics,
      final DeadLetterSink globalDeadLetters,
      final Clock clock) {
    // the dimension comes with the model: the first item row sets it (EmbeddingUpdate.dimension)
    final ItemMatrix items = new ItemMatrix(0);
    items.popularityWeight(config.popularityWeight());
    final AnnMaintainer ann = new AnnMaintainer(items, config.annMinItems(), config.ann());
    final ItemSearch search = new ItemSearch(items, ann);
    final GlobalPopularity popularity = new GlobalPopularity(config.popularityHalfLife());
    Gauge.builder("streamrec.serving.items", items, ItemMatrix::liveItems)
        .description("Items in the serving index")
        .register(metrics.registry());
    Gauge.builder("streamrec.serving.ann.active", ann, a -> a.approximate() ? 1 : 0)
        .description("1 while searches use the HNSW index")
        .register(metrics.registry());
    return new ServingDependencies(
        config,
        items,
        ann,
        search,
        popularity,
        new Recommender(search, popularity, metrics),
        metrics,
        globalDeadLetters,
        clock);
  }

  @Override
  public void close() {
    ann.close();
  }
}
