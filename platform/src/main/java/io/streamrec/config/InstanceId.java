package io.streamrec.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.zip.CRC32;

/**
 * The stable instance id behind Kafka static group membership ({@code group.instance.id}). A
 * restarted instance that presents the same id takes its partitions back at once, without waiting
 * for its dead predecessor to time out of the group ({@code session.timeout.ms}) and without a
 * rebalance of the other members.
 *
 * <p>An explicit id is used as given. Otherwise the id is derived from what stays the same across
 * restarts of one instance and differs between instances: the host name and the absolute state
 * directory (two instances on one host must use different state directories anyway), as {@code
 * <application>-<host>-<crc32 of the dir>}.
 */
public final class InstanceId {
  private InstanceId() {}

  /** The Kafka consumer key of static membership. */
  public static final String GROUP_INSTANCE_ID = "group.instance.id";

  /**
   * Applies static membership to client properties that already hold every {@code kafka.*} key: an
   * absent {@code group.instance.id} gets the derived id, a blank one (set to empty on purpose) is
   * removed (dynamic membership), any other value stays.
   */
  public static Properties applyTo(Properties props, String application, Path stateDir) {
    Object v = props.get(GROUP_INSTANCE_ID);
    if (v == null) {
      props.put(GROUP_INSTANCE_ID, resolve(null, application, stateDir));
    } else if (v.toString().isBlank()) {
      props.remove(GROUP_INSTANCE_ID);
    }
    return props;
  }

  /**
   * {@code explicit} when not blank, else the id derived from the host name and {@code stateDir}.
   */
  public static String resolve(String explicit, String application, Path stateDir) {
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    return derive(application, hostName(), stateDir);
  }

  /** The derived id (pure; see the class comment). */
  static String derive(String application, String host, Path stateDir) {
    CRC32 crc = new CRC32();
    crc.update(stateDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
    String h = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    return application + "-" + h + "-" + String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
