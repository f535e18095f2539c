package io.streamrec.ops.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads the deployment files (docker/, ops/monitoring/) of the repository these tests run in. */
final class DeployFiles {
  /**
   * Defaults files of each StreamRec image (in this source tree, not the classpath, whose SNAPSHOT
   * jars may come from another checkout): the keys a {@code STREAMREC_*} variable may set.
   */
  static final Map<String, List<String>> DEFAULTS_BY_DOCKERFILE =
      Map.of(
          "docker/Dockerfile.streams-app",
          List.of(
              "streams-app/src/main/resources/streamrec-streams.properties",
              "streams-app/src/main/resources/streamrec-ingest.properties",
              "streams-app/src/main/resources/streamrec-serving.properties"),
          "docker/Dockerfile.trainer",
          List.of("trainer/src/main/resources/streamrec-trainer.properties"),
          "docker/Dockerfile.trainer-cuda",
          List.of("trainer/src/main/resources/streamrec-trainer.properties"),
          "docker/Dockerfile.ops",
          List.of());

  private static final Pattern METRIC = Pattern.compile("\\b((?:streamrec|kafka)_[a-z0-9_]+)\\b");

  private DeployFiles() {}

  /** The repository root (Maven runs the ops tests in {@code ops/}). */
  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docker/compose.yaml"))
          && Files.isDirectory(p.resolve("ops"))) {
        return p;
      }
    }
    throw new IllegalStateException("No repository root with docker/compose.yaml above " + here);
  }

  static String read(String relative) {
    try {
      return Files.readString(root().resolve(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A YAML file as plain maps and lists; merge keys ({@code <<: *anchor}) are resolved. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String relative) {
    return (Map<String, Object>)
        new Yaml(new SafeConstructor(new LoaderOptions())).load(read(relative));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> composeServices() {
    return (Map<String, Map<String, Object>>) yaml("docker/compose.yaml").get("services");
  }

  /** A service's {@code environment} as strings (map or {@code KEY=VALUE} list form). */
  @SuppressWarnings("unchecked")
  static Map<String, String> environment(Map<String, Object> service) {
    Object env = service.get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    } else if (env instanceof List<?> l) {
      for (Object o : l) {
        String s = String.valueOf(o);
        int eq = s.indexOf('=');
        out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
      }
    }
    return out;
  }

  /**
   * The Dockerfile a service is built from ({@code build.dockerfile}), or the one that builds its
   * image tag.
   */
  @SuppressWarnings("unchecked")
  static String dockerfileOf(String serviceName, Map<String, Map<String, Object>> services) {
    Map<String, Object> s = services.get(serviceName);
    if (s.get("build") instanceof Map<?, ?> b) {
      return String.valueOf(((Map<String, Object>) b).get("dockerfile"));
    }
    String image = String.valueOf(s.get("image"));
    for (Map<String, Object> other : services.values()) {
      if (image.equals(String.valueOf(other.get("image")))
          && other.get("build") instanceof Map<?, ?> b) {
        return String.valueOf(((Map<String, Object>) b).get("dockerfile"));
      }
    }
    return null;
  }

  /** The modules the root POM builds, in its order: each Dockerfile must copy every one's POM. */
  static List<String> modules() {
    List<String> modules = new ArrayList<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(read("pom.xml"));
    while (m.find()) {
      modules.add(m.group(1).trim());
    }
    return modules;
  }

  static List<String> dockerfiles() {
    try (Stream<Path> files = Files.list(root().resolve("docker"))) {
      return files
          .map(p -> "docker/" + p.getFileName())
          .filter(n -> n.startsWith("docker/Dockerfile"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Dockerfile instructions with line continuations joined and comments dropped, one string per
   * instruction.
   */
  static List<String> instructions(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : read(dockerfile).split("\n", -1)) {
      String t = line.strip();
      if (cur.length() == 0 && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.startsWith("#")) {
        continue;
      }
      if (t.endsWith("\\")) {
        cur.append(t, 0, t.length() - 1).append(' ');
      } else {
        cur.append(t);
        out.add(cur.toString().strip());
        cur.setLength(0);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString().strip());
    }
    return out;
  }

  /** The instructions of the last stage (from its {@code FROM} on). */
  static List<String> finalStage(String dockerfile) {
    List<String> all = instructions(dockerfile);
    int last = 0;
    for (int i = 0; i < all.size(); i++) {
      if (keyword(all.get(i)).equals("FROM")) {
        last = i;
      }
    }
    return all.subList(last, all.size());
  }

  static String keyword(String instruction) {
    int sp = instruction.indexOf(' ');
    return (sp < 0 ? instruction : instruction.substring(0, sp)).toUpperCase(Locale.ROOT);
  }

  /** {@code KEY=VALUE} pairs of every ENV instruction of a stage. */
  static Map<String, String> env(List<String> stage) {
    Map<String, String> out = new LinkedHashMap<>();
    Pattern kv = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");
    for (String i : stage) {
      if (keyword(i).equals("ENV")) {
        Matcher m = kv.matcher(i.substring(4));
        while (m.find()) {
          out.put(m.group(1), m.group(2).replace("\"", ""));
        }
      }
    }
    return out;
  }

  /** The defaults files merged in order (later files win). */
  static Properties defaults(List<String> files) {
    Properties merged = new Properties();
    for (String f : files) {
      try (InputStream in = Files.newInputStream(root().resolve(f))) {
        merged.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return merged;
  }

  /** The union of the keys in the defaults files. */
  static Set<String> defaultKeys(List<String> files) {
    return new TreeSet<>(defaults(files).stringPropertyNames());
  }

  /** Every PromQL expression of the dashboard and the alert rules. */
  @SuppressWarnings("unchecked")
  static List<String> promqlExpressions() {
    List<String> exprs = new ArrayList<>();
    try {
      var json =
          new ObjectMapper().readTree(read("ops/monitoring/grafana/dashboards/streamrec.json"));
      json.path("panels")
          .forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Object g : (List<Object>) yaml("ops/monitoring/alerts.yml").get("groups")) {
      for (Object r : (List<Object>) ((Map<String, Object>) g).get("rules")) {
        exprs.add(String.valueOf(((Map<String, Object>) r).get("expr")));
      }
    }
    return exprs;
  }

  /** The StreamRec and Kafka client metric names a set of PromQL expressions reads. */
  static Set<String> metricNames(List<String> exprs) {
    Set<String> names = new LinkedHashSet<>();
    for (String e : exprs) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
