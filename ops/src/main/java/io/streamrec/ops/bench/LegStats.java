package io.streamrec.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where one bench leg's wall time went: the CPU time of the application's stream thread(s) between
 * {@code RUNNING} and the last output, and Kafka Streams' own thread metrics (commits, commit
 * latency, the share of the loop spent processing, polling and committing) at the end of the leg.
 */
final class LegStats {
  private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
  private final String applicationId;
  private long cpuAtStart;

  LegStats(String applicationId) {
    this.applicationId = applicationId;
  }

  /** The leg's clock starts now. */
  void started() {
    cpuAtStart = streamThreadCpuNanos();
  }

  /** One line: wall seconds, stream thread CPU seconds, commits and the thread's time ratios. */
  String report(double wallSeconds, KafkaStreams streams) {
    double cpu = (streamThreadCpuNanos() - cpuAtStart) / 1e9;
    return String.format(
        Locale.ROOT,
        "%.2f s, stream thread CPU %.2f s (%.0f%%), %.0f commits at %.1f ms avg; "
            + "thread time ratios process %.2f, poll %.2f, commit %.2f",
        wallSeconds,
        cpu,
        100 * cpu / wallSeconds,
        threadMetric(streams, "commit-total"),
        threadMetric(streams, "commit-latency-avg"),
        threadMetric(streams, "process-ratio"),
        threadMetric(streams, "poll-ratio"),
        threadMetric(streams, "commit-ratio"));
  }

  private long streamThreadCpuNanos() {
    long sum = 0;
    for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (ti != null
          && ti.getThreadName().startsWith(applicationId + "-")
          && ti.getThreadName().contains("StreamThread")) {
        sum += Math.max(0, mx.getThreadCpuTime(ti.getThreadId()));
      }
    }
    return sum;
  }

  /** The sum over stream threads of a {@code stream-thread-metrics} value (NaN when absent). */
  private static double threadMetric(KafkaStreams streams, String name) {
    double sum = Double.NaN;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName m = e.getKey();
      if (m.group().equals("stream-thread-metrics") && m.name().equals(name)) {
        Object v = e.getValue().metricValue();
        if (v instanceof Number n) {
          sum = Double.isNaN(sum) ? n.doubleValue() : sum + n.doubleValue();
        }
      }
    }
    return sum;
  }
}
