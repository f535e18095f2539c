package io.streamrec.deadletter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.schemas.DeadLetterReason;

/**
 * The one definition of the dead-letter counter, {@value #NAME}{@code {stage,reason}}: records a
 * stage rejected to its dead-letter topic, by {@link DeadLetterReason#tag()}. Every stage (ingest,
 * its production-exception handler, serving, the trainer) registers it here, so the name, the tag
 * keys and the description cannot drift apart; operators alert on it and dashboards plot it.
 *
 * <p>The writes that fail are a different meter, {@link DeadLetterProducer#SEND_FAILURES}.
 */
public final class DeadLetterMeter {

  /** The meter name ({@code streamrec_dlq_records_total} in Prometheus). */
  public static final String NAME = "streamrec.dlq.records";

  private DeadLetterMeter() {}

  /**
   * The counter for {@code stage} and {@code reason} in {@code registry} (registered on first use;
   * the same counter on later calls).
   */
  public static Counter counter(MeterRegistry registry, String stage, DeadLetterReason reason) {
    return Counter.builder(NAME)
        .description("Records sent to a dead-letter topic")
        .tag("stage", stage)
        .tag("reason", reason.tag())
        .register(registry);
  }
}
