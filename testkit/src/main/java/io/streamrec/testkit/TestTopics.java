package io.streamrec.testkit;

import io.streamrec.schemas.TopicSpec;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique topic names per test, so tests sharing one broker never see each other's records. */
public final class TestTopics {
  private static final AtomicInteger SEQ = new AtomicInteger();

  private TestTopics() {}

  /** A suffix unique within this JVM, e.g. {@code -t7}. */
  public static String suffix() {
    return "-t" + SEQ.incrementAndGet();
  }

  /** {@code spec} renamed with the given suffix appended. */
  public static <K, V> TopicSpec<K, V> renamed(TopicSpec<K, V> spec, String suffix) {
    return spec.withName(spec.name() + suffix);
  }
}
