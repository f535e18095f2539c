package io.streamrec.trainer;

import io.streamrec.avro.TrainingExample;
import org.apache.kafka.common.KafkaException;

/**
 * One input record waiting in the {@link EventTimeMerge}: a decoded example, or a dead-lettered
 * record ({@code example} null) with the acknowledgement of its dead-letter write.
 *
 * @param example the decoded example, or null for a dead letter
 * @param offset the record's offset in its partition
 * @param ack the dead-letter write (null for an example)
 */
record Pending(TrainingExample example, long offset, Ack ack) {

  /** An example ready to learn. */
  static Pending example(TrainingExample example, long offset) {
    return new Pending(example, offset, null);
  }

  /** A dead letter whose offset counts as done once {@code ack} completes. */
  static Pending deadLetter(long offset, Ack ack) {
    return new Pending(null, offset, ack);
  }

  /** Event time in ms; a dead letter sorts first (it does not wait for its turn). */
  long time() {
    return example == null ? Long.MIN_VALUE : example.getTimestamp().toEpochMilli();
  }

  /**
   * Examples are ready at once; a dead letter once the broker acknowledged it.
   *
   * @throws KafkaException when the dead-letter write failed (its cause tells whether retrying can
   *     help)
   */
  boolean ready() {
    if (ack == null) {
      return true;
    }
    Exception e = ack.error;
    if (e != null) {
      throw new KafkaException("Cannot write the dead letter of offset " + offset, e);
    }
    return ack.done;
  }

  /** Completion of one dead-letter write, set by the producer's callback thread. */
  static final class Ack {
    private volatile boolean done;
    private volatile Exception error;

    /** An acknowledgement that is already complete (tests). */
    static Ack completed() {
      Ack a = new Ack();
      a.done = true;
      return a;
    }

    void complete(Exception failure) {
      if (failure != null) {
        error = failure;
      } else {
        done = true;
      }
    }
  }
}
