package io.streamrec.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** CPU seconds per thread group (trainer, ingest, serving, replay, other) since construction. */
final class ThreadCpu {
  private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();
  private final Duration processStart = processCpu(ProcessHandle.current());
  private final Duration childrenStart = childrenCpu();

  ThreadCpu() {
    for (long id : mx.getAllThreadIds()) {
      start.put(id, Math.max(0, mx.getThreadCpuTime(id)));
    }
  }

  private static Duration processCpu(ProcessHandle p) {
    return p.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static Duration childrenCpu() {
    return ProcessHandle.current()
        .descendants()
        .map(ThreadCpu::processCpu)
        .reduce(Duration.ZERO, Duration::plus);
  }

  String report(double wallSeconds) {
    Map<String, Double> groups = new TreeMap<>();
    for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (ti == null) {
        continue;
      }
      long cpu = mx.getThreadCpuTime(ti.getThreadId());
      if (cpu < 0) {
        continue;
      }
      double s = (cpu - start.getOrDefault(ti.getThreadId(), 0L)) / 1e9;
      groups.merge(group(ti.getThreadName()), s, Double::sum);
    }
    StringBuilder b =
        new StringBuilder(
            String.format(Locale.ROOT, "CPU s in this JVM over %.2f s:", wallSeconds));
    groups.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.2f", k, v)));
    double jvm = processCpu(ProcessHandle.current()).minus(processStart).toMillis() / 1e3;
    double children = childrenCpu().minus(childrenStart).toMillis() / 1e3;
    b.append(
        String.format(
            Locale.ROOT,
            "; process CPU s: this JVM %.2f, child processes (the broker) %.2f",
            jvm,
            children));
    return b.toString();
  }

  private static String group(String name) {
    if (name.equals("streamrec-trainer")) {
      return "trainer-loop";
    }
    if (name.contains("GlobalStreamThread")) {
      return "serving-global";
    }
    if (name.contains("StreamThread")) {
      return name.contains("ingest") ? "ingest-stream" : "serving-stream";
    }
    if (name.contains("producer-network")) {
      return "producer-io";
    }
    return "other";
  }
}
