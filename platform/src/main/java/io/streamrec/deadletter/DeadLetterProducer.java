package io.streamrec.deadletter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one dead-letter writer outside a Kafka Streams transaction (the trainer, serving's global
 * item-store side producer): the original key and value bytes, untouched, with {@link
 * DeadLetterHeaders} for a {@link DeadLetterReason} and a stage, sent with a callback.
 *
 * <p>Where a Kafka Streams sink writes dead letters inside the task's transaction (ingest,
 * serving's decode step), that sink stays: it is exactly-once with the input, this producer is not.
 * Counting and logging each rejected record ({@link DeadLetterMeter}, one WARN with {@code
 * topic-partition@offset}) stays with the caller, which knows why it rejected the record; this
 * class counts and logs the writes that fail ({@value #SEND_FAILURES}{@code {stage}}): such a dead
 * letter is lost.
 */
public final class DeadLetterProducer {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterProducer.class);

  /** Counter of dead letters that could not be written, tagged {@code stage}. */
  public static final String SEND_FAILURES = "streamrec.dlq.send.failures";

  private final Producer<byte[], byte[]> producer;
  private final String dlqTopic;
  private final String stage;
  private final Counter failures;

  /**
   * @param producer a byte-array producer owned (and closed) by the caller
   * @param dlqTopic the stage's dead-letter topic
   * @param stage written to {@link DeadLetterHeaders#STAGE} and the {@code stage} tag
   */
  public DeadLetterProducer(
      Producer<byte[], byte[]> producer, String dlqTopic, String stage, MeterRegistry registry) {
    this.producer = producer;
    this.dlqTopic = dlqTopic;
    this.stage = stage;
    this.failures =
        Counter.builder(SEND_FAILURES)
            .tag("stage", stage)
            .description("Dead letters that could not be written (lost)")
            .register(registry);
  }

  /**
   * Sends the original bytes of {@code topic-partition@offset} to the dead-letter topic. {@code
   * onDone} runs once, in the producer's callback, with {@code null} when the broker acknowledged
   * the dead letter and the failure otherwise (also when the send is refused before it is queued).
   * Never throws for a failed send.
   */
  public void send(
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      DeadLetterReason reason,
      Throwable error,
      Consumer<Exception> onDone) {
    ProducerRecord<byte[], byte[]> dl = new ProducerRecord<>(dlqTopic, null, key, value);
    DeadLetterHeaders.add(dl.headers(), reason, stage, topic, partition, offset, error);
    try {
      producer.send(
          dl,
          (md, e) -> {
            if (e != null) {
              failed(topic, partition, offset, e);
            }
            onDone.accept(e);
          });
    } catch (RuntimeException e) {
      failed(topic, partition, offset, e);
      onDone.accept(e);
    }
  }

  /** As {@link #send(String, int, long, byte[], byte[], DeadLetterReason, Throwable, Consumer)}. */
  public void send(
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      DeadLetterReason reason,
      Throwable error) {
    send(topic, partition, offset, key, value, reason, error, e -> {});
  }

  private void failed(String topic, int partition, long offset, Exception e) {
    failures.increment();
    log.error(
        "Cannot write the {} dead letter for {}-{}@{} to {}",
        stage,
        topic,
        partition,
        offset,
        dlqTopic,
        e);
  }
}
