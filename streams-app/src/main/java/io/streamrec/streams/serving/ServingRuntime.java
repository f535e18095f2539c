package io.streamrec.streams.serving;

import io.micrometer.core.instrument.Gauge;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory state one serving instance shares between its topology's processors and its HTTP route: the
 * item index (fed by the global item store), the per-partition popularity trackers (owned by the stream tasks)
 * and where the global processor writes dead letters.
 */
public final class ServingRuntime implements AutoCloseable {
  private final ServingConfig config;
  private final ItemIndex index;
  private final ServingMetrics metrics;
  private final Recommender recommender;
  private final DeadLetterSink deadLetters;
  private final Map<Integer, PopularityTracker> popularity = new ConcurrentHashMap<>();

  public ServingRuntime(final ServingConfig config, final ServingMetrics metrics, final DeadLetterSink deadLetters) {
    this.config = config;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.index = new ItemIndex(config.embeddingDim(), config.annMinItems(), config.ann());
    index.popularityWeight(config.popularityWeight());
    this.recommender = new Recommender(index, metrics);
    Gauge.builder("streamrec.serving.items", index, ItemIndex::liveItems)
        .description("Items in the serving index").register(metrics.registry());
    Gauge.builder("streamrec.serving.ann.active", index, i -> i.approximate() ? 1 : 0)
        .description("1 while searches use the HNSW index").register(metrics.registry());
  }

  public ServingConfig config() {
    return config;
  }

  public ItemIndex index() {
    return index;
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  public Recommender recommender() {
    return recommender;
  }

  public DeadLetterSink deadLetters() {
    return deadLetters;
  }

  /** The popularity tracker of the task that owns {@code partition}, or {@code null} if none is local. */
  public PopularityTracker popularity(final int partition) {
    return popularity.get(partition);
  }

  void register(final int partition, final PopularityTracker tracker) {
    popularity.put(partition, tracker);
  }

  void unregister(final int partition, final PopularityTracker tracker) {
    popularity.remove(partition, tracker);
  }

  @Override
  public void close() {
    index.close();
  }
}
