package io.streamrec.ops.bench;

import io.streamrec.kafka.ClientProperties;
import io.streamrec.ops.bench.PipelineBench.Sample;
import io.streamrec.schemas.Topics;
import io.streamrec.trainer.TrainerService;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The lag sampler of {@link PipelineBench}: reads, every period on its own thread, the end offsets
 * of the ratings, training-examples and user-embeddings topics and the committed offsets of the
 * three groups (the lag rules per stage are in {@link PipelineBench}'s class comment); {@link
 * #awaitFinish} applies the finish rules to the samples.
 */
final class LagSampler implements AutoCloseable {
  private final Admin admin;
  private final TrainerService trainer;
  private final long periodNanos;
  private final String ratings;
  private final String examples;
  private final String userEmbeddings;
  private final String ingestGroup;
  private final String trainerGroup;
  private final String servingGroup;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final List<Map<TopicPartition, Long>> userEmbeddingEnds = new CopyOnWriteArrayList<>();
  private final List<Map<TopicPartition, Long>> servingUserEmbedding = new CopyOnWriteArrayList<>();
  private Map<TopicPartition, OffsetSpec> endRequest;
  private Thread thread;
  private volatile boolean running = true;
  private volatile RuntimeException failure;
  private long t0;

  LagSampler(String bootstrap, String suffix, TrainerService trainer, long periodMillis) {
    this.admin = Admin.create(ClientProperties.admin(bootstrap, "streamrec-bench-pipeline-lag"));
    this.trainer = trainer;
    this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
    this.ratings = Topics.RATINGS.withSuffix(suffix).name();
    this.examples = Topics.TRAINING_EXAMPLES.withSuffix(suffix).name();
    this.userEmbeddings = Topics.USER_EMBEDDINGS.withSuffix(suffix).name();
    this.ingestGroup = "streamrec-ingest" + suffix;
    this.trainerGroup = "streamrec-trainer" + suffix;
    this.servingGroup = "streamrec-serving" + suffix;
  }

  void start(long startNanos) {
    t0 = startNanos;
    thread = new Thread(this::loop, "streamrec-bench-pipeline-lag");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      long begin = System.nanoTime();
      try {
        sample();
      } catch (RuntimeException e) {
        failure = e;
        return;
      }
      long sleep = periodNanos - (System.nanoTime() - begin);
      if (sleep > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void sample() {
    try {
      if (endRequest == null) {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        admin
            .describeTopics(List.of(ratings, examples, userEmbeddings))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .forEach(
                (name, d) ->
                    d.partitions()
                        .forEach(
                            pi ->
                                req.put(
                                    new TopicPartition(name, pi.partition()),
                                    OffsetSpec.latest())));
        endRequest = req;
      }
      long trained = trainer.examplesTrained();
      long version = trainer.modelVersion();
      boolean idle = trainer.idle();
      // committed offsets before end offsets: a lag read this way is never below the true lag
      Map<String, ListConsumerGroupOffsetsSpec> specs =
          Map.of(
              ingestGroup,
              new ListConsumerGroupOffsetsSpec(),
              trainerGroup,
              new ListConsumerGroupOffsetsSpec(),
              servingGroup,
              new ListConsumerGroupOffsetsSpec());
      Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
          admin.listConsumerGroupOffsets(specs).all().get(10, TimeUnit.SECONDS);
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin
          .listOffsets(endRequest)
          .all()
          .get(10, TimeUnit.SECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
      double t = (System.nanoTime() - t0) / 1e9;
      long produced = 0;
      long[] lag = new long[PipelineBench.STAGES.size()];
      Map<TopicPartition, Long> ueEnds = new HashMap<>();
      Map<TopicPartition, Long> ueServing = new HashMap<>();
      Map<TopicPartition, OffsetAndMetadata> ing = committed.getOrDefault(ingestGroup, Map.of());
      Map<TopicPartition, OffsetAndMetadata> tr = committed.getOrDefault(trainerGroup, Map.of());
      Map<TopicPartition, OffsetAndMetadata> sv = committed.getOrDefault(servingGroup, Map.of());
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        TopicPartition tp = e.getKey();
        long end = e.getValue();
        if (tp.topic().equals(ratings)) {
          produced += end;
          lag[0] += Math.max(0, end - offset(ing, tp));
        } else if (tp.topic().equals(examples)) {
          lag[1] += Math.max(0, end - offset(tr, tp) - 1);
          lag[2] += Math.max(0, end - offset(sv, tp) - 1);
        } else {
          lag[3] += Math.max(0, end - offset(sv, tp));
          ueEnds.put(tp, end);
          ueServing.put(tp, offset(sv, tp));
        }
      }
      userEmbeddingEnds.add(ueEnds);
      servingUserEmbedding.add(ueServing);
      samples.add(new Sample(t, produced, lag, trained, idle ? -version - 1 : version));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot read offsets: " + e, e);
    }
  }

  private static long offset(Map<TopicPartition, OffsetAndMetadata> committed, TopicPartition tp) {
    OffsetAndMetadata om = committed.get(tp);
    return om == null ? 0 : om.offset();
  }

  /**
   * Waits until every stage finished (rules in the class comment) and returns the finish times; the
   * replay finished at {@code replaySeconds}.
   */
  double[] awaitFinish(double replaySeconds, Duration timeout, Runnable healthCheck)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double[] finished = new double[PipelineBench.STAGES.size()];
    Arrays.fill(finished, -1);
    int scanned = 0;
    long versionAtTrainerDone = Long.MIN_VALUE;
    Map<TopicPartition, Long> target = null;
    while (true) {
      if (failure != null) {
        throw failure;
      }
      healthCheck.run();
      for (; scanned < samples.size(); scanned++) {
        Sample x = samples.get(scanned);
        if (x.t() < replaySeconds) {
          continue;
        }
        long version = x.modelVersion() < 0 ? -x.modelVersion() - 1 : x.modelVersion();
        boolean idle = x.modelVersion() < 0;
        if (finished[0] < 0 && x.lag()[0] == 0) {
          finished[0] = x.t();
        }
        if (finished[0] >= 0 && finished[1] < 0 && x.lag()[1] == 0) {
          finished[1] = x.t();
          versionAtTrainerDone = version;
        }
        if (finished[0] >= 0 && finished[2] < 0 && x.lag()[2] == 0) {
          finished[2] = x.t();
        }
        if (finished[1] >= 0 && target == null && (version > versionAtTrainerDone || idle)) {
          target = userEmbeddingEnds.get(scanned);
        }
        if (target != null
            && finished[3] < 0
            && reached(servingUserEmbedding.get(scanned), target)) {
          finished[3] = x.t();
        }
      }
      if (Arrays.stream(finished).allMatch(f -> f >= 0)) {
        return finished;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the pipeline did not finish within "
                + timeout
                + "; finished so far "
                + Arrays.toString(finished)
                + ", last sample "
                + describe(samples.isEmpty() ? null : samples.get(samples.size() - 1)));
      }
      Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(periodNanos) / 2));
    }
  }

  private static boolean reached(
      Map<TopicPartition, Long> committed, Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
      if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    admin.close(Duration.ofSeconds(5));
  }

  private static String describe(Sample x) {
    return x == null
        ? "none"
        : String.format(
            Locale.ROOT,
            "t=%.2f produced=%d lag=%s trained=%d version=%d",
            x.t(),
            x.produced(),
            Arrays.toString(x.lag()),
            x.examplesTrained(),
            x.modelVersion());
  }
}
