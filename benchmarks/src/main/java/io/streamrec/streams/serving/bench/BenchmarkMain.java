package io.streamrec.streams.serving.bench;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the serving JMH benchmarks briefly (the build machine is small and shared): one fork, 3 x 1
 * s warm-up, 5 x 1 s measurement, one thread. Optional argument: a benchmark regex (default: all
 * serving benchmarks).
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  public static void main(final String[] args) throws RunnerException {
    exposeClassPathToForks();
    final Options opts =
        new OptionsBuilder()
            .include(args.length > 0 ? args[0] : ScoringBenchmark.class.getSimpleName())
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .threads(1)
            .jvmArgsAppend("-Xmx3g")
            .build();
    new Runner(opts).run();
  }

  /**
   * Under {@code mvn exec:java} the test classpath lives in an isolated class loader while {@code
   * java.class.path} is Maven's own; JMH forks with {@code java.class.path}, so point it at the
   * loader's.
   */
  private static void exposeClassPathToForks() {
    if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader) {
      final StringBuilder cp = new StringBuilder();
      for (URL url : loader.getURLs()) {
        try {
          if (cp.length() > 0) {
            cp.append(File.pathSeparatorChar);
          }
          cp.append(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
          throw new IllegalStateException("Bad class path entry " + url, e);
        }
      }
      System.setProperty("java.class.path", cp.toString());
    }
  }
}
