package io.streamrec.streams.serving;

import io.streamrec.avro.Trigger;

/**
 * One top-K list as serving computes it, before it becomes Avro at the sink ({@link
 * ServingOutput#toAvro}) or JSON at the HTTP route: item ids and scores best first, the newest
 * model version among the vectors used (-1 for a fallback), when it was generated (the processor's
 * wall clock), why ({@code trigger}; {@code null} for an HTTP answer), the request it answers, the
 * newest interaction and embedding event times it reflects (null when none), and how many input
 * events it reflects since the user's previous list ({@code coalescedEvents}).
 */
public record ServedList(
    String userId,
    String[] itemIds,
    float[] scores,
    long modelVersion,
    long generatedAtMs,
    String requestId,
    Trigger trigger,
    boolean fallback,
    Long userEventTimeMs,
    Long embeddingEventTimeMs,
    int coalescedEvents)
    implements ServingOutput {}
