package io.streamrec.schemas.registry;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The schema registry could not be reached or answered 5xx: the record is fine, so this is not a
 * {@link org.apache.kafka.common.errors.SerializationException} (which would dead-letter it) but a
 * retriable infrastructure failure: Kafka Streams stops the task (the service exits and restarts),
 * the trainer backs off.
 */
public class RegistryUnavailableException extends RetriableException {
  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public RegistryUnavailableException(String message) {
    super(message);
  }
}
