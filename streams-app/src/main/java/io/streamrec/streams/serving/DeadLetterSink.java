package io.streamrec.streams.serving;

import io.streamrec.schemas.DeadLetterReason;

/**
 * Where the global item-store processor sends dead letters: a global store's processor may not
 * forward records, so it writes them through this (a small producer in the service, a list in
 * tests).
 */
@FunctionalInterface
public interface DeadLetterSink {
  /**
   * Sends the original bytes with the standard dead-letter headers. Must not throw on ordinary
   * failures.
   */
  void send(
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      DeadLetterReason reason,
      Throwable error);
}
