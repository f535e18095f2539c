package io.streamrec.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.config.ConfigSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Static checks of docker/compose.yaml, docker/Dockerfile.* and ops/monitoring: images pinned,
 * every {@code STREAMREC_*} variable names a real config key, ports agree with the configured
 * ports, health checks, non-root final stages, and class names that exist. No Docker engine needed.
 */
class DeploymentFilesTest {
  private static final Pattern STREAMREC_CLASS = Pattern.compile("io\\.streamrec\\.[A-Za-z0-9_.]+");
  private static final Pattern URL_PORT = Pattern.compile("http://[^:/\"]+:(\\d+)/");

  private final Map<String, Map<String, Object>> services = DeployFiles.composeServices();

  @Test
  void shouldPinEveryImageInComposeAndDockerfiles() {
    List<String> images = new ArrayList<>();
    services.forEach(
        (name, s) -> {
          assertThat(s.get("image"))
              .as("service %s names its image (built ones get a tag)", name)
              .isNotNull();
          images.add(name + " -> " + s.get("image"));
        });
    for (String df : DeployFiles.dockerfiles()) {
      Set<String> stages = new HashSet<>();
      for (String i : DeployFiles.instructions(df)) {
        if (DeployFiles.keyword(i).equals("FROM")) {
          String[] parts = i.split("\\s+");
          String image = parts[1];
          if (!stages.contains(image)) {
            images.add(df + " -> " + image);
          }
          if (parts.length >= 4 && parts[2].equalsIgnoreCase("AS")) {
            stages.add(parts[3]);
          }
        }
      }
    }
    assertThat(images).hasSizeGreaterThan(services.size());
    for (String entry : images) {
      String image = entry.substring(entry.indexOf(" -> ") + 4);
      assertThat(isPinned(image)).as("%s is pinned to a concrete tag or digest", entry).isTrue();
    }
  }

  @Test
  void shouldRejectUnpinnedImages() {
    assertThat(isPinned("apache/kafka")).isFalse();
    assertThat(isPinned("apache/kafka:latest")).isFalse();
    assertThat(isPinned("localhost:5000/kafka")).isFalse();
    assertThat(isPinned("apache/kafka:4.3.1")).isTrue();
    assertThat(isPinned("grafana/grafana@sha256:" + "a".repeat(64))).isTrue();
  }

  @Test
  void shouldUseKraftKafkaWithReplicationFactorOneSettings() {
    Map<String, Object> kafka = services.get("kafka");
    assertThat(kafka.get("image")).isEqualTo("apache/kafka:4.3.1");
    Map<String, String> env = DeployFiles.environment(kafka);
    assertThat(env)
        .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
        .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
    assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("PLAINTEXT://kafka:9092");
    assertThat(String.valueOf(services.get("topics").get("command")))
        .contains("topics", "create", "--bootstrap", "kafka:9092");
    for (String svc : List.of("streams-app-1", "streams-app-2", "trainer")) {
      assertThat(DeployFiles.environment(services.get(svc)))
          .as("%s reaches the compose broker", svc)
          .containsEntry("STREAMREC_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
    }
  }

  @Test
  void shouldMapEveryStreamrecVariableToADefaultsKey() {
    int checked = 0;
    for (var e : services.entrySet()) {
      String df = DeployFiles.dockerfileOf(e.getKey(), services);
      for (String var : DeployFiles.environment(e.getValue()).keySet()) {
        if (var.startsWith(ConfigSource.ENV_PREFIX)) {
          assertThat(df)
              .as("service %s sets %s but is no StreamRec image", e.getKey(), var)
              .isNotNull();
          assertKnownKey(e.getKey(), var, df);
          checked++;
        }
      }
    }
    for (String df : DeployFiles.dockerfiles()) {
      for (String var : DeployFiles.env(DeployFiles.finalStage(df)).keySet()) {
        if (var.startsWith(ConfigSource.ENV_PREFIX)) {
          assertKnownKey(df, var, df);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(15);
  }

  @Test
  void shouldExposeTheConfiguredPortsInDockerfilesComposeAndPrometheus() {
    // Dockerfile: ENV metrics port == classpath default == EXPOSE == HEALTHCHECK URL port
    for (String df :
        List.of(
            "docker/Dockerfile.streams-app",
            "docker/Dockerfile.trainer",
            "docker/Dockerfile.trainer-cuda")) {
      List<String> stage = DeployFiles.finalStage(df);
      String port = DeployFiles.env(stage).get("STREAMREC_METRICS_PORT");
      assertThat(port)
          .as("%s sets STREAMREC_METRICS_PORT", df)
          .isEqualTo(defaults(df).getProperty("metrics.port"));
      assertThat(stage)
          .as("%s EXPOSEs the metrics port", df)
          .anyMatch(i -> i.equals("EXPOSE " + port));
      String health =
          stage.stream()
              .filter(i -> DeployFiles.keyword(i).equals("HEALTHCHECK"))
              .findFirst()
              .orElseThrow();
      assertThat(urlPorts(health)).as("%s health check port", df).containsExactly(port);
    }
    // compose: container side of every port mapping == the service's effective metrics.port ==
    // health check URL
    Map<String, String> effective = new LinkedHashMap<>();
    for (String svc : List.of("streams-app-1", "streams-app-2", "trainer")) {
      Map<String, Object> s = services.get(svc);
      String df = DeployFiles.dockerfileOf(svc, services);
      String port =
          DeployFiles.environment(s)
              .getOrDefault(
                  "STREAMREC_METRICS_PORT",
                  DeployFiles.env(DeployFiles.finalStage(df))
                      .getOrDefault(
                          "STREAMREC_METRICS_PORT", defaults(df).getProperty("metrics.port")));
      effective.put(svc, port);
      List<String> containerPorts = new ArrayList<>();
      for (Object p : (List<?>) s.get("ports")) {
        String mapping = String.valueOf(p);
        containerPorts.add(mapping.substring(mapping.lastIndexOf(':') + 1));
      }
      assertThat(containerPorts).as("%s publishes its metrics port", svc).containsExactly(port);
      assertThat(urlPorts(String.valueOf(((Map<?, ?>) s.get("healthcheck")).get("test"))))
          .as("%s health check port", svc)
          .containsExactly(port);
    }
    assertThat(effective)
        .containsEntry("trainer", defaults("docker/Dockerfile.trainer").getProperty("metrics.port"))
        .containsEntry(
            "streams-app-1", defaults("docker/Dockerfile.streams-app").getProperty("metrics.port"));
    // prometheus.yml scrapes exactly these service:port pairs
    Set<String> targets = new TreeSet<>(prometheusTargets());
    effective.forEach((svc, port) -> assertThat(targets).contains(svc + ":" + port));
  }

  @Test
  void shouldRunTwoServingInstancesOfTheSameApplications() {
    Map<String, String> a = DeployFiles.environment(services.get("streams-app-1"));
    Map<String, String> b = DeployFiles.environment(services.get("streams-app-2"));
    assertThat(a.get("STREAMREC_SERVING_HTTP_ADVERTISED_HOST"))
        .isEqualTo("streams-app-1")
        .isEqualTo(services.get("streams-app-1").get("hostname"));
    assertThat(b.get("STREAMREC_SERVING_HTTP_ADVERTISED_HOST"))
        .isEqualTo("streams-app-2")
        .isEqualTo(services.get("streams-app-2").get("hostname"));
    for (String key :
        List.of(
            "STREAMREC_INGEST_APPLICATION_ID",
            "STREAMREC_SERVING_APPLICATION_ID",
            "STREAMREC_TOPICS_SUFFIX",
            "STREAMREC_STREAMS_ROLES")) {
      assertThat(a.get(key)).as(key).isEqualTo(b.get(key));
    }
    assertThat(services.get("streams-app-1").get("volumes"))
        .as("each instance keeps its own state")
        .isNotEqualTo(services.get("streams-app-2").get("volumes"));
  }

  @Test
  void shouldHaveHealthChecksForEveryLongRunningService() {
    for (var e : services.entrySet()) {
      Map<String, Object> s = e.getValue();
      boolean oneShot = "no".equals(String.valueOf(s.get("restart")));
      if (!oneShot) {
        assertThat(s.get("healthcheck"))
            .as("service %s has a health check", e.getKey())
            .isNotNull();
      }
    }
    for (String df : DeployFiles.dockerfiles()) {
      assertThat(DeployFiles.finalStage(df))
          .as("%s declares HEALTHCHECK", df)
          .anyMatch(i -> DeployFiles.keyword(i).equals("HEALTHCHECK"));
    }
    assertThat(services.get("replay").get("profiles")).isEqualTo(List.of("eval"));
    assertThat(services.get("evaluate").get("profiles")).isEqualTo(List.of("eval"));
  }

  @Test
  void shouldResolveDependenciesFromThePomsBeforeCopyingTheSources() {
    List<String> modules = DeployFiles.modules();
    assertThat(modules).contains("schemas", "platform", "streams-app", "trainer", "ops");
    for (String df : DeployFiles.dockerfiles()) {
      List<String> build = DeployFiles.instructions(df);
      int copyAll = build.indexOf("COPY . .");
      assertThat(copyAll).as("%s copies the tree", df).isPositive();
      List<String> before = build.subList(0, copyAll);
      assertThat(before).as("%s copies the root POM first", df).contains("COPY pom.xml ./");
      for (String m : modules) {
        assertThat(before)
            .as("%s copies %s/pom.xml before the sources", df, m)
            .contains("COPY " + m + "/pom.xml " + m + "/");
      }
      assertThat(
              before.stream()
                  .filter(i -> i.startsWith("RUN ") && i.contains("dependency:go-offline"))
                  .toList())
          .as("%s resolves dependencies in a layer of its own", df)
          .hasSize(1);
      assertThat(build.stream().filter(i -> i.contains("mvn ")).toList())
          .as("%s installs nothing into a Maven repository", df)
          .noneMatch(i -> i.matches(".*\\binstall\\b.*"));
    }
  }

  @Test
  void shouldBuildWithTheMavenVersionOfTheWrapper() {
    String props = DeployFiles.read(".mvn/wrapper/maven-wrapper.properties");
    Matcher m = Pattern.compile("apache-maven/([0-9.]+)/").matcher(props);
    assertThat(m.find()).as("wrapper distributionUrl").isTrue();
    String version = m.group(1);
    for (String df : DeployFiles.dockerfiles()) {
      List<String> froms =
          DeployFiles.instructions(df).stream().filter(i -> i.startsWith("FROM maven:")).toList();
      assertThat(froms).as("%s builds with a maven image", df).isNotEmpty();
      assertThat(froms)
          .as("%s uses Maven %s like ./mvnw", df, version)
          .allMatch(f -> f.startsWith("FROM maven:" + version + "-"));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldLimitTheMemoryOfEveryService() {
    for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
      Map<String, Object> deploy = (Map<String, Object>) e.getValue().get("deploy");
      assertThat(deploy).as("%s has deploy.resources.limits.memory", e.getKey()).isNotNull();
      Object mem =
          ((Map<String, Object>) ((Map<String, Object>) deploy.get("resources")).get("limits"))
              .get("memory");
      assertThat(String.valueOf(mem)).as("%s memory limit", e.getKey()).matches("[0-9]+[mg]");
    }
    assertThat(DeployFiles.environment(services.get("kafka"))).containsKey("KAFKA_HEAP_OPTS");
  }

  @Test
  void shouldRefuseToBuildTheCudaImageWithoutALibtorchChecksum() {
    String cuda = String.join("\n", DeployFiles.instructions("docker/Dockerfile.trainer-cuda"));
    assertThat(cuda).contains("ARG LIBTORCH_SHA256").doesNotContain("ARG LIBTORCH_SHA256=");
    // the check comes before the download, and the verification is unconditional
    assertThat(cuda).containsPattern("if \\[ -z \"\\$LIBTORCH_SHA256\" \\]; then[^\n]*exit 1");
    assertThat(cuda.indexOf("-z \"$LIBTORCH_SHA256\"")).isLessThan(cuda.indexOf("curl -fsSL"));
    assertThat(cuda)
        .contains("echo \"$LIBTORCH_SHA256  /tmp/libtorch.zip\" | sha256sum -c -")
        .doesNotContain("if [ -n \"$LIBTORCH_SHA256\" ]");
  }

  @Test
  void shouldMountMovieLensFromTheFolderTheReadmeCreates() {
    String volumes = String.valueOf(services.get("replay").get("volumes"));
    Matcher m = Pattern.compile("\\$\\{STREAMREC_DATA:-([^}]+)}:/data:ro").matcher(volumes);
    assertThat(m.find()).as("replay mounts ${STREAMREC_DATA:-...}:/data:ro: %s", volumes).isTrue();
    // compose resolves the default relative to docker/, the README's commands run at the repository
    // root
    Path folder = Path.of("docker").resolve(m.group(1)).normalize();
    assertThat(folder.toString()).isEqualTo("data/ml-100k");
    assertThat(DeployFiles.read("README.md"))
        .contains("mkdir -p data")
        .contains("unzip -q ml-100k.zip -d data");
    assertThat(DeployFiles.read(".gitignore")).contains("/data/");
    assertThat(String.valueOf(services.get("evaluate").get("volumes"))).contains(m.group(0));
  }

  @Test
  void shouldRunAsNonRootInAMultiStageBuild() {
    for (String df : DeployFiles.dockerfiles()) {
      List<String> all = DeployFiles.instructions(df);
      assertThat(all.stream().filter(i -> DeployFiles.keyword(i).equals("FROM")).count())
          .as("%s is multi-stage", df)
          .isGreaterThanOrEqualTo(2);
      List<String> users =
          DeployFiles.finalStage(df).stream()
              .filter(i -> DeployFiles.keyword(i).equals("USER"))
              .toList();
      assertThat(users).as("%s switches user in its final stage", df).isNotEmpty();
      String user = users.get(users.size() - 1).substring(5).strip();
      String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
      assertThat(name).as("%s final USER", df).isNotIn("root", "0");
    }
  }

  @Test
  void shouldNameClassesThatExist() throws Exception {
    Set<String> classes = new TreeSet<>();
    for (String df : DeployFiles.dockerfiles()) {
      for (String i : DeployFiles.finalStage(df)) {
        if (List.of("ENTRYPOINT", "CMD", "HEALTHCHECK").contains(DeployFiles.keyword(i))) {
          Matcher m = STREAMREC_CLASS.matcher(i);
          while (m.find()) {
            classes.add(m.group());
          }
        }
      }
    }
    services
        .values()
        .forEach(
            s -> {
              Matcher m = STREAMREC_CLASS.matcher(String.valueOf(s.get("healthcheck")));
              while (m.find()) {
                classes.add(m.group());
              }
            });
    assertThat(classes)
        .contains(
            "io.streamrec.streams.StreamsMain",
            "io.streamrec.trainer.TrainerMain",
            "io.streamrec.ops.StreamRecCli",
            "io.streamrec.metrics.HealthProbe");
    for (String c : classes) {
      assertThat(Class.forName(c).getMethod("main", String[].class)).as(c).isNotNull();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldWireMonitoringFilesIntoCompose() {
    Map<String, Object> prom = DeployFiles.yaml("ops/monitoring/prometheus.yml");
    // relative to prometheus.yml: the same path works in the repository and in /etc/prometheus
    assertThat((List<String>) prom.get("rule_files")).containsExactly("alerts.yml");
    assertThat(String.valueOf(services.get("prometheus").get("volumes")))
        .contains(
            "../ops/monitoring/prometheus.yml:/etc/prometheus/prometheus.yml",
            "../ops/monitoring/alerts.yml:/etc/prometheus/alerts.yml");
    assertThat(String.valueOf(services.get("grafana").get("volumes")))
        .contains(
            "../ops/monitoring/grafana/provisioning:/etc/grafana/provisioning",
            "../ops/monitoring/grafana/dashboards:/var/lib/grafana/dashboards");
    Map<String, Object> ds =
        DeployFiles.yaml("ops/monitoring/grafana/provisioning/datasources/prometheus.yml");
    Map<String, Object> first = ((List<Map<String, Object>>) ds.get("datasources")).get(0);
    assertThat(first)
        .containsEntry("uid", "streamrec-prometheus")
        .containsEntry("url", "http://prometheus:9090");
    assertThat(DeployFiles.read("ops/monitoring/grafana/dashboards/streamrec.json"))
        .contains("\"value\": \"streamrec-prometheus\"")
        .contains(
            "Ingest rate",
            "Dead letters by reason",
            "Trainer examples/s",
            "Trainer loss",
            "Publish lag",
            "Freshness",
            "Serving top-K latency",
            "Consumer lag");
    assertThat(DeployFiles.metricNames(DeployFiles.promqlExpressions()))
        .contains("streamrec_dlq_records_total", "kafka_consumer_fetch_manager_records_lag_max");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldLinkEveryAlertToItsRunbookRow() {
    String runbook = DeployFiles.read("docs/operations.md");
    List<Map<String, Object>> groups =
        (List<Map<String, Object>>) DeployFiles.yaml("ops/monitoring/alerts.yml").get("groups");
    int alerts = 0;
    for (Map<String, Object> g : groups) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) g.get("rules")) {
        String name = (String) rule.get("alert");
        Map<String, String> ann = (Map<String, String>) rule.get("annotations");
        assertThat(ann).as(name).containsKey("runbook_url");
        String url = ann.get("runbook_url");
        assertThat(url).as(name).startsWith("docs/operations.md#");
        String anchor = url.substring(url.indexOf('#') + 1);
        assertThat(runbook)
            .as("anchor %s for %s", anchor, name)
            .contains("<a id=\"" + anchor + "\"></a>`" + name + "`");
        assertThat(String.valueOf(rule.get("expr"))).as(name).doesNotContain("quantile=");
        alerts++;
      }
    }
    assertThat(alerts).isGreaterThanOrEqualTo(8);
  }

  @Test
  void shouldPickTheDatasourceFromAVariableAndUseFittingUnits() throws Exception {
    JsonNode d =
        new ObjectMapper()
            .readTree(DeployFiles.read("ops/monitoring/grafana/dashboards/streamrec.json"));
    JsonNode variable = d.at("/templating/list/0");
    assertThat(variable.get("type").asText()).isEqualTo("datasource");
    assertThat(variable.get("query").asText()).isEqualTo("prometheus");
    String ref = "${" + variable.get("name").asText() + "}";
    for (JsonNode panel : d.get("panels")) {
      String title = panel.get("title").asText();
      assertThat(panel.at("/datasource/uid").asText()).as(title).isEqualTo(ref);
      String unit = panel.at("/fieldConfig/defaults/unit").asText();
      for (JsonNode t : panel.get("targets")) {
        assertThat(t.at("/datasource/uid").asText()).as(title).isEqualTo(ref);
        String expr = t.get("expr").asText();
        assertThat(expr).as(title).doesNotContain("quantile=");
        if (expr.startsWith("histogram_quantile") && expr.contains("_seconds_bucket")) {
          assertThat(unit).as("%s plots seconds", title).isEqualTo("s");
        } else if (expr.contains("rate(") && expr.contains("_total[")) {
          assertThat(unit).as("%s plots a per-second rate", title).isIn("ops", "reqps", "cps");
        }
      }
    }
  }

  private static void assertKnownKey(String where, String var, String dockerfile) {
    String key = ConfigSource.envToKey(var);
    assertThat(ConfigSource.keyToEnv(key)).as("%s: %s round-trips", where, var).isEqualTo(var);
    if (key.startsWith("kafka.")) {
      return;
    }
    List<String> files = DeployFiles.DEFAULTS_BY_DOCKERFILE.get(dockerfile);
    assertThat(files).as("defaults files known for %s", dockerfile).isNotNull();
    assertThat(DeployFiles.defaultKeys(files))
        .as("%s: %s sets key %s of %s", where, var, key, files)
        .contains(key);
  }

  private static Properties defaults(String dockerfile) {
    return DeployFiles.defaults(DeployFiles.DEFAULTS_BY_DOCKERFILE.get(dockerfile));
  }

  private static List<String> urlPorts(String text) {
    List<String> ports = new ArrayList<>();
    Matcher m = URL_PORT.matcher(text);
    while (m.find()) {
      ports.add(m.group(1));
    }
    return ports;
  }

  @SuppressWarnings("unchecked")
  private static List<String> prometheusTargets() {
    List<String> out = new ArrayList<>();
    for (Object job :
        (List<Object>) DeployFiles.yaml("ops/monitoring/prometheus.yml").get("scrape_configs")) {
      for (Object sc :
          (List<Object>) ((Map<String, Object>) job).getOrDefault("static_configs", List.of())) {
        out.addAll((List<String>) ((Map<String, Object>) sc).get("targets"));
      }
    }
    return out;
  }

  /** A concrete tag (not {@code latest}) or a digest. */
  static boolean isPinned(String image) {
    if (image.contains("@sha256:")) {
      return true;
    }
    String lastSegment = image.substring(image.lastIndexOf('/') + 1);
    int colon = lastSegment.indexOf(':');
    if (colon < 0) {
      return false;
    }
    String tag = lastSegment.substring(colon + 1).toLowerCase(Locale.ROOT);
    return !tag.isEmpty() && !tag.equals("latest") && tag.chars().anyMatch(Character::isDigit);
  }
}
