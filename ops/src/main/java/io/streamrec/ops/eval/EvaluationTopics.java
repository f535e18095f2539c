package io.streamrec.ops.eval;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the evaluators' inputs back from the topics: the tutorial split as the replay sent it
 * (ratings + holdout topics), and the prequential protocol's events (ratings topic) and served
 * lists (recommendations topic).
 */
public final class EvaluationTopics {
  private EvaluationTopics() {}

  /** The split as the replay sent it: train = the ratings topic, raw test = the holdout topic. */
  public static TutorialSplit.Split tutorialSplit(
      String bootstrap, String suffix, float minRating, Duration timeout) {
    List<Interaction> train = read(bootstrap, suffix, false, timeout);
    List<Interaction> rawTest = read(bootstrap, suffix, true, timeout);
    if (rawTest.isEmpty()) {
      throw new IllegalStateException("The holdout topic is empty: replay with --holdout first");
    }
    long start = rawTest.stream().mapToLong(Interaction::timestamp).min().orElseThrow();
    return TutorialSplit.fromParts(train, rawTest, start, minRating);
  }

  private static List<Interaction> read(
      String bootstrap, String suffix, boolean holdout, Duration timeout) {
    List<Interaction> rows = new ArrayList<>();
    TopicReader.readAll(
        bootstrap,
        (holdout ? Topics.RATINGS_HOLDOUT : Topics.RATINGS).withSuffix(suffix),
        timeout,
        r -> rows.add(toInteraction(r.value())));
    rows.sort(Comparator.comparingLong(Interaction::timestamp));
    return rows;
  }

  private static Interaction toInteraction(RatingEvent e) {
    return new Interaction(
        e.getUserId().toString(),
        e.getItemId().toString(),
        e.getRating(),
        e.getTimestamp().toEpochMilli());
  }

  /** The prequential split time: the time split at {@code 1 - holdout} over every event. */
  public static long splitOf(List<PrequentialScorer.Event> events, double holdout) {
    List<Interaction> sorted = new ArrayList<>();
    for (PrequentialScorer.Event e : events) {
      sorted.add(new Interaction(e.userId(), e.itemId(), e.rating(), e.eventMillis()));
    }
    sorted.sort(Comparator.comparingLong(Interaction::timestamp));
    return TutorialSplit.testStartMillis(sorted, holdout);
  }

  /** Every rating on the ratings topic, with its record (produce) timestamp. */
  public static List<PrequentialScorer.Event> ratingEvents(
      String bootstrap, String suffix, Duration timeout) {
    List<PrequentialScorer.Event> events = new ArrayList<>();
    TopicReader.readAll(
        bootstrap,
        Topics.RATINGS.withSuffix(suffix),
        timeout,
        r ->
            events.add(
                new PrequentialScorer.Event(
                    r.value().getUserId().toString(),
                    r.value().getItemId().toString(),
                    r.value().getRating(),
                    r.value().getTimestamp().toEpochMilli(),
                    r.timestamp())));
    if (events.isEmpty()) {
      throw new IllegalStateException(
          "The ratings topic is empty: replay first (without --holdout)");
    }
    return events;
  }

  /** Every list on the recommendations topic. */
  public static List<PrequentialScorer.ServedList> servedLists(
      String bootstrap, String suffix, Duration timeout) {
    List<PrequentialScorer.ServedList> lists = new ArrayList<>();
    TopicReader.readAll(
        bootstrap,
        Topics.RECOMMENDATIONS.withSuffix(suffix),
        timeout,
        r -> lists.add(toList(r.value())));
    return lists;
  }

  private static PrequentialScorer.ServedList toList(Recommendations v) {
    List<String> items = new ArrayList<>(v.getItems().size());
    for (ScoredItem s : v.getItems()) {
      items.add(s.getItemId().toString());
    }
    return new PrequentialScorer.ServedList(
        v.getUserId().toString(),
        items,
        v.getUserEventTime() == null ? null : v.getUserEventTime().toEpochMilli(),
        v.getEmbeddingEventTime() == null ? null : v.getEmbeddingEventTime().toEpochMilli(),
        v.getGeneratedAt().toEpochMilli());
  }
}
