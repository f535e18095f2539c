package io.streamrec.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Flat {@code key=value} configuration, merged from (lowest to highest precedence): classpath
 * defaults, an optional properties file ({@code --config FILE}), environment variables, then
 * explicit overrides (command-line flags). An environment variable {@code
 * STREAMREC_TRAINER_BATCH_SIZE} sets key {@code trainer.batch.size}: the {@code STREAMREC_} prefix
 * is dropped, the rest lower-cased, and {@code _} becomes {@code .}. Keys are therefore
 * dot-separated words; Kafka client settings are passed through under the {@code kafka.} prefix
 * ({@code STREAMREC_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}).
 *
 * <p>This is the only place StreamRec reads {@code System.getenv}.
 */
public final class ConfigSource {
  public static final String ENV_PREFIX = "STREAMREC_";

  private final Map<String, String> values;

  private ConfigSource(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /**
   * Defaults from a classpath resource, then {@code file} (may be null), the process environment,
   * then overrides.
   */
  public static ConfigSource load(
      String defaultsResource, Path file, Map<String, String> overrides) {
    return load(defaultsResource, file, System.getenv(), overrides);
  }

  /** As {@link #load(String, Path, Map)} with an explicit environment (tests). */
  public static ConfigSource load(
      String defaultsResource, Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> merged = new TreeMap<>();
    if (defaultsResource != null) {
      try (InputStream in =
          ConfigSource.class.getClassLoader().getResourceAsStream(defaultsResource)) {
        if (in == null) {
          throw new IllegalArgumentException("Missing defaults resource " + defaultsResource);
        }
        Properties p = new Properties();
        p.load(in);
        p.forEach((k, v) -> merged.put(k.toString(), v.toString().trim()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (file != null) {
      try (Reader r = Files.newBufferedReader(file)) {
        Properties p = new Properties();
        p.load(r);
        p.forEach((k, v) -> merged.put(k.toString(), v.toString().trim()));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read config file " + file, e);
      }
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
            merged.put(envToKey(k), v.trim());
          }
        });
    merged.putAll(overrides);
    return new ConfigSource(merged);
  }

  /** A source holding exactly these values (tests). */
  public static ConfigSource of(Map<String, String> values) {
    return new ConfigSource(values);
  }

  /** {@code STREAMREC_TRAINER_BATCH_SIZE} to {@code trainer.batch.size}. */
  public static String envToKey(String env) {
    return env.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** {@code trainer.batch.size} to {@code STREAMREC_TRAINER_BATCH_SIZE}. */
  public static String keyToEnv(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public Map<String, String> asMap() {
    return values;
  }

  public String string(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "Missing required config key '" + key + "' (env " + keyToEnv(key) + ")");
    }
    return v;
  }

  public String string(String key, String dflt) {
    return values.getOrDefault(key, dflt);
  }

  public int integer(String key) {
    String v = string(key);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Config key '" + key + "' must be an integer, was '" + v + "'");
    }
  }

  public long longValue(String key) {
    String v = string(key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Config key '" + key + "' must be a long, was '" + v + "'");
    }
  }

  public double decimal(String key) {
    String v = string(key);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Config key '" + key + "' must be a number, was '" + v + "'");
    }
  }

  public boolean bool(String key) {
    String v = string(key).toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(
          "Config key '" + key + "' must be true or false, was '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  /** A duration written as ISO-8601 ({@code PT0.5S}) or as milliseconds ({@code 500}). */
  public Duration duration(String key) {
    String v = string(key);
    try {
      return v.startsWith("P") || v.startsWith("p")
          ? Duration.parse(v)
          : Duration.ofMillis(Long.parseLong(v));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Config key '" + key + "' must be a duration (ms or ISO-8601), was '" + v + "'");
    }
  }

  /**
   * Every key under {@code prefix}, with the prefix removed (e.g. {@code kafka.} pass-through
   * settings).
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }

  /** The values for a startup log line, with anything that looks like a secret masked. */
  public Map<String, String> masked() {
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          String lk = k.toLowerCase(Locale.ROOT);
          boolean secret =
              lk.contains("password")
                  || lk.contains("secret")
                  || lk.contains("sasl.jaas")
                  || lk.contains("token");
          out.put(k, secret ? "******" : v);
        });
    return out;
  }
}
