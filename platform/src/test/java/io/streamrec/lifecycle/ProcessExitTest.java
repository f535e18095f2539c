package io.streamrec.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProcessExitTest {

  @Test
  void shouldExitZeroWhenSigtermStopsCleanly() throws Exception {
    Process p = start("hook");
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void withoutTheHookTheJvmExits143OnSigterm() throws Exception {
    Process p = start("nohook");
    p.destroy();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
  }

  @Test
  void shouldExitWithTheServicesCodeWhenItFails() throws Exception {
    Process p = start("fail");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(7);
  }

  @Test
  void shouldNotReportACleanStopWhenTheServiceDoesNotAnswerTheSignalInTime() {
    assertThat(ProcessExit.signalExitCode(true, 0)).isZero();
    assertThat(ProcessExit.signalExitCode(true, 1)).isEqualTo(1);
    assertThat(ProcessExit.signalExitCode(false, 0)).isEqualTo(ProcessExit.EXIT_STOP_TIMEOUT);
  }

  private static Process start(String mode) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx64m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    ProcessExitChild.class.getName(),
                    mode))
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("STARTED")) {
      // skip log lines
    }
    assertThat(line).as("child started").isNotNull();
    Thread t =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // drain so the child never blocks on a full pipe
                }
              } catch (IOException ignored) {
                // the child exited
              }
            });
    t.setDaemon(true);
    t.start();
    return p;
  }
}
