package io.streamrec.ops.offline;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.TutorialSplit;
import java.util.ArrayList;
import java.util.List;

/** The events of the prequential protocol and its split time, as the live demo sends and scores. */
public final class PrequentialEvents {
  private PrequentialEvents() {}

  /**
   * Every rating of the data set in replay order (stable by time), as the live prequential demo
   * sends them.
   */
  public static List<PrequentialScorer.Event> of(MovieLens.Dataset ds) {
    List<PrequentialScorer.Event> out = new ArrayList<>();
    for (Interaction i : MovieLens.sortedByTime(ds.ratings())) {
      out.add(new PrequentialScorer.Event(i.userId(), i.itemId(), i.rating(), i.timestamp(), 0));
    }
    return out;
  }

  /**
   * The prequential split time: the tutorial's time split over every event (the evaluator's
   * definition).
   */
  public static long splitMillis(List<PrequentialScorer.Event> sortedEvents) {
    List<Interaction> rows = new ArrayList<>(sortedEvents.size());
    for (PrequentialScorer.Event e : sortedEvents) {
      rows.add(new Interaction(e.userId(), e.itemId(), e.rating(), e.eventMillis()));
    }
    return TutorialSplit.testStartMillis(rows, TutorialSplit.TEST_FRACTION);
  }
}
