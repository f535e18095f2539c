package io.streamrec.ops.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * Starts StreamRec's services (ingest, serving, trainer) for the demo. The demo's orchestration
 * depends only on this interface, so it is tested with a stand-in and runs the real services
 * through {@link InProcessServiceLauncher}.
 */
public interface ServiceLauncher {

  /**
   * @param bootstrap Kafka bootstrap servers
   * @param suffix topic suffix ({@code topics.suffix})
   * @param stateDir a fresh directory for the services' local state (RocksDB, checkpoints)
   * @param seed seed for every random source
   * @param overrides extra configuration keys (highest precedence)
   */
  record Settings(
      String bootstrap, String suffix, Path stateDir, long seed, Map<String, String> overrides) {
    public Settings {
      overrides = Map.copyOf(overrides);
    }
  }

  /** Starts the services; they run until the result is closed. */
  RunningServices start(Settings settings) throws Exception;

  /**
   * Consumer groups expected to consume the ratings topic (the demo waits until they have caught
   * up).
   */
  int ratingsConsumerGroups();

  /** What the demo polls while it waits for the system to catch up. */
  interface RunningServices extends AutoCloseable {
    TrainerStatus trainer();

    /**
     * The serving instance's live page ({@code http://host:port/}), or {@code null} when it is not
     * known here.
     */
    default String servingUrl() {
      return null;
    }

    @Override
    void close();
  }

  /**
   * @param modelVersion latest published model version (-1 = none yet)
   * @param examplesTrained training examples consumed so far
   * @param lag training examples not consumed yet
   * @param idle the trainer has nothing left to do (no lag, nothing buffered, last publish done)
   */
  record TrainerStatus(long modelVersion, long examplesTrained, long lag, boolean idle) {}
}
