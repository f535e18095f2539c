package io.streamrec.ops.cli;

import io.streamrec.kafka.ClientProperties;
import io.streamrec.ops.StreamRecCli;
import io.streamrec.ops.UserError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.slf4j.LoggerFactory;

/**
 * Checks a command makes before any side effect (no broker started, no directory created, no record
 * sent), each failing with a one-line {@link UserError} that names the address or path and says
 * what to do.
 */
public final class Preflight {
  /**
   * How long a listening broker may take to answer a metadata request before the command gives up.
   * An address where nothing listens fails at once (refused, unknown host) or after the 3 s TCP
   * connect timeout; this longer bound only applies once the port is open (a broker still starting,
   * or a loaded machine).
   */
  public static final Duration BROKER_TIMEOUT = Duration.ofSeconds(30);

  private static final String BOOTSTRAP_FLAG = "--bootstrap HOST:PORT";

  private Preflight() {}

  /**
   * Fails unless a Kafka broker answers at {@code bootstrap} within {@code timeout}: first a TCP
   * connect to every listed address (refused or unknown hosts fail at once), then a {@code
   * DescribeCluster} round trip.
   *
   * @return the cluster id
   */
  public static String requireBroker(String bootstrap, Duration timeout) {
    return requireBroker(bootstrap, timeout, BOOTSTRAP_FLAG);
  }

  /**
   * As {@link #requireBroker(String, Duration)}; {@code setting} is how the user points at a
   * broker.
   */
  @SuppressWarnings("try") // the hush is held, not used: it lasts as long as the admin client
  public static String requireBroker(String bootstrap, Duration timeout, String setting) {
    String startOne =
        "start one with ./streamrec kafka, or pass " + setting + " of a running cluster";
    List<String> problems = new ArrayList<>();
    boolean anyOpen = false;
    for (String address : bootstrap.split(",")) {
      String a = address.trim();
      String problem = tcpProblem(a, (int) Math.min(timeout.toMillis(), 3_000));
      if (problem == null) {
        anyOpen = true;
      } else {
        problems.add(a + ": " + problem);
      }
    }
    if (!anyOpen) {
      throw new UserError(
          "Kafka is not reachable at "
              + bootstrap
              + " ("
              + String.join("; ", problems)
              + "); "
              + startOne
              + ".");
    }
    Properties p = ClientProperties.admin(bootstrap, "streamrec-preflight");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    // the hush lasts as long as the admin client: its network thread logs every refused connection
    // otherwise. The admin client is closed without waiting (CloseAtOnce): a plain close() waits
    // for the request still in flight to a silent port, up to its request timeout again, which
    // doubled the time to the answer (3 s + 3 s idle; more on a loaded machine)
    try (QuietKafkaNetwork quiet = QuietKafkaNetwork.hush();
        CloseAtOnce admin = new CloseAtOnce(Admin.create(p))) {
      return admin
          .admin()
          .describeCluster()
          .clusterId()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw noAnswer(bootstrap, timeout, startOne);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw noAnswer(bootstrap, timeout, startOne);
      }
      throw new UserError(
          "Kafka at " + bootstrap + " refused the request: " + e.getCause().getMessage());
    } catch (KafkaException e) {
      throw new UserError("Invalid Kafka address '" + bootstrap + "': " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("Interrupted while checking Kafka at " + bootstrap);
    }
  }

  /** An admin client whose close fails what is still pending instead of waiting for it. */
  private record CloseAtOnce(Admin admin) implements AutoCloseable {
    @Override
    public void close() {
      admin.close(Duration.ZERO);
    }
  }

  private static UserError noAnswer(String bootstrap, Duration timeout, String startOne) {
    return new UserError(
        "Kafka did not answer at "
            + bootstrap
            + " within "
            + timeout.toSeconds()
            + " s (the port"
            + " is open: is it a Kafka listener?); "
            + startOne
            + ".");
  }

  /** Why a TCP connection to {@code host:port} fails, or null when it opens. */
  static String tcpProblem(String address, int timeoutMs) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new UserError("Invalid Kafka address '" + address + "': expected HOST:PORT");
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UserError("Invalid Kafka address '" + address + "': the port is not a number");
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), timeoutMs);
      return null;
    } catch (UnknownHostException e) {
      return "unknown host " + host;
    } catch (SocketTimeoutException e) {
      return "no answer within " + timeoutMs + " ms";
    } catch (IOException e) {
      return e.getMessage() == null
          ? e.getClass().getSimpleName()
          : e.getMessage().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return "unknown host " + host;
    }
  }

  /**
   * Fails unless {@code dir} is, or can be created as, a writable directory. Creates nothing: for a
   * missing directory the nearest existing parent must be a writable directory.
   *
   * @param what what the directory is for, with the flag or key that sets it ({@code "--out"})
   */
  public static Path requireWritableDir(Path dir, String what) {
    Path abs = dir.toAbsolutePath().normalize();
    Path p = abs;
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      throw new UserError("Cannot create " + what + " " + abs + ": no existing parent directory");
    }
    if (!Files.isDirectory(p)) {
      throw new UserError(
          "Cannot use " + what + " " + abs + ": " + p + " is a file, not a directory");
    }
    if (!Files.isWritable(p)) {
      throw new UserError(
          "Cannot "
              + (p.equals(abs) ? "write to " : "create ")
              + what
              + " "
              + abs
              + ": "
              + p
              + " is not writable; choose another directory");
    }
    return dir;
  }

  /** Fails unless {@code file} is a readable regular file. */
  public static Path requireReadableFile(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new UserError(
          "Cannot read "
              + what
              + " "
              + file.toAbsolutePath()
              + ": "
              + (Files.isDirectory(file) ? "it is a directory" : "no such file"));
    }
    if (!Files.isReadable(file)) {
      throw new UserError(
          "Cannot read " + what + " " + file.toAbsolutePath() + ": permission denied");
    }
    return file;
  }

  /**
   * Raises the Kafka client's network logger to ERROR while a preflight check probes an address
   * that may be down, so the check's own retries do not print a WARN per attempt (unless {@code
   * --verbose}).
   */
  static final class QuietKafkaNetwork implements AutoCloseable {
    private static final String NETWORK_LOGGER = "org.apache.kafka.clients.NetworkClient";
    private final ch.qos.logback.classic.Logger logger;
    private final ch.qos.logback.classic.Level previous;

    private QuietKafkaNetwork(ch.qos.logback.classic.Logger logger) {
      this.logger = logger;
      this.previous = logger == null ? null : logger.getLevel();
      if (logger != null) {
        logger.setLevel(ch.qos.logback.classic.Level.ERROR);
      }
    }

    static QuietKafkaNetwork hush() {
      if (StreamRecCli.verbose()
          || !(LoggerFactory.getLogger(NETWORK_LOGGER)
              instanceof ch.qos.logback.classic.Logger l)) {
        return new QuietKafkaNetwork(null);
      }
      return new QuietKafkaNetwork(l);
    }

    @Override
    public void close() {
      if (logger != null) {
        logger.setLevel(previous);
      }
    }
  }
}
