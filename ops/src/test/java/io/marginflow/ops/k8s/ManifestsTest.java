package io.marginflow.ops.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.marginflow.ops.cli.MarginflowCli;
import io.marginflow.topology.config.MarginflowConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes manifests (ops/k8s) against the application they run: kustomize itself is not available here, so the
 * base and each overlay are read as YAML and every field that must agree with the app is checked: settings files the
 * app accepts, the port and probes it serves, the state volume at state.dir, environment variables that are settings,
 * arguments the CLI parses, selectors that select, and memory limits that hold the heap plus RocksDB's bound.
 */
class ManifestsTest {
  private static final Path K8S = Path.of("k8s");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final long MIB = 1024L * 1024L;

  @Test
  void shouldKeepEveryOverlayConsistentWithTheApplication() throws Exception {
    for (String overlay : List.of("dev", "prod")) {
      Rendered r = render(K8S.resolve("overlays").resolve(overlay));
      JsonNode sts = r.get("StatefulSet", "marginflow");
      JsonNode pod = sts.at("/spec/template/spec");
      JsonNode container = pod.at("/containers/0");
      Map<String, String> settings = r.configMap("marginflow-config", "marginflow.properties");
      Map<String, String> merged = new HashMap<>(settings);
      merged.putAll(r.secretFile("marginflow-credentials", "credentials.properties"));
      MarginflowConfig config = MarginflowConfig.of(merged);

      assertEquals(config.getInt(MarginflowConfig.HTTP_PORT), port(container, "http"), overlay + ": container port");
      assertEquals("/health/ready", container.at("/readinessProbe/httpGet/path").asText());
      assertEquals("/health/live", container.at("/livenessProbe/httpGet/path").asText());
      assertEquals("http", container.at("/readinessProbe/httpGet/port").asText());
      assertEquals(config.getString(MarginflowConfig.STATE_DIR), mountPath(container, "state"), overlay + ": state.dir");
      assertEquals("state", sts.at("/spec/volumeClaimTemplates/0/metadata/name").asText());
      for (JsonNode env : container.path("env")) {
        String name = env.get("name").asText();
        if (name.startsWith("MARGINFLOW_")) {
          assertTrue(MarginflowConfig.keys().stream().anyMatch(k -> MarginflowConfig.envName(k).equals(name)),
              overlay + ": " + name + " is a setting");
        }
      }
      assertTrue(env(container, "MARGINFLOW_INSTANCE_ID").contains("$(POD_NAME)"), "static membership from the pod name");
      String headless = sts.at("/spec/serviceName").asText();
      JsonNode service = r.get("Service", headless);
      assertEquals("None", service.at("/spec/clusterIP").asText(), "application.server needs per-pod DNS");
      assertTrue(env(container, "MARGINFLOW_HTTP_HOST").endsWith("." + headless), "http.host resolves via " + headless);
      JsonNode labels = sts.at("/spec/template/metadata/labels");
      for (JsonNode selector : List.of(sts.at("/spec/selector/matchLabels"), service.at("/spec/selector"),
          r.get("Service", "marginflow").at("/spec/selector"), r.get("PodDisruptionBudget", "marginflow")
              .at("/spec/selector/matchLabels"))) {
        selector.properties().forEach(e -> assertEquals(e.getValue(), labels.get(e.getKey()), "selector " + e));
      }
      assertArgs(container, pod, overlay);
      assertMemory(container, overlay);

      JsonNode job = r.get("Job", "marginflow-topics").at("/spec/template/spec");
      assertArgs(job.at("/containers/0"), job, overlay);
      assertEquals(List.of("topics", "apply"), args(job.at("/containers/0")).subList(0, 2));
      JsonNode connect = r.get("Deployment", "marginflow-connect").at("/spec/template/spec");
      assertArgs(connect.at("/containers/0"), connect, overlay);
      Map<String, String> worker = r.configMap("marginflow-connect", "connect-worker.properties");
      Map<String, String> sink = r.configMap("marginflow-connect", "alerts-webhook.properties");
      assertTrue(sink.get("webhook.url").contains("${env:WEBHOOK_URL}") && worker.containsKey("config.providers.env.class"));
      assertNotNull(env(connect.at("/containers/0"), "WEBHOOK_URL"));
      assertEquals(port(connect.at("/containers/0"), "connect-rest"), Integer.parseInt(worker.get("listeners")
          .replaceAll(".*:", "")));

      if (overlay.equals("prod")) {
        assertTrue(sts.at("/spec/replicas").asInt() >= 3 && config.getInt(MarginflowConfig.NUM_STANDBY_REPLICAS) >= 1,
            "production: three instances, a standby each");
        assertTrue(pod.at("/affinity/podAntiAffinity").isObject(), "one instance per node");
      } else {
        assertEquals(1, sts.at("/spec/replicas").asInt());
      }
    }
  }

  /** The arguments parse as a marginflow command, and every file they name is under a mounted path. */
  private static void assertArgs(JsonNode container, JsonNode pod, String overlay) {
    List<String> args = args(container);
    new CommandLine(new MarginflowCli()).parseArgs(args.toArray(String[]::new));
    for (int i = 0; i < args.size() - 1; i++) {
      if (List.of("--config", "--worker", "--command-config").contains(args.get(i))) {
        String file = args.get(i + 1);
        assertTrue(mounts(container).stream().anyMatch(m -> file.equals(m) || file.startsWith(m + "/")),
            overlay + ": " + file + " is mounted: " + mounts(container));
      }
    }
    for (JsonNode m : container.path("volumeMounts")) {
      String volume = m.get("name").asText();
      boolean declared = false;
      for (JsonNode v : pod.path("volumes")) {
        declared |= v.get("name").asText().equals(volume);
      }
      assertTrue(declared || volume.equals("state"), overlay + ": volume " + volume + " is declared");
    }
  }

  /** The memory limit holds the heap, RocksDB's bound (256 MiB) and 512 MiB of JVM and native overhead. */
  private static void assertMemory(JsonNode container, String overlay) {
    String opts = env(container, "JAVA_TOOL_OPTIONS");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("-Xmx(\\d+)([mgMG])").matcher(opts);
    assertTrue(m.find(), opts);
    long heap = Long.parseLong(m.group(1)) * (m.group(2).equalsIgnoreCase("g") ? 1024 : 1) * MIB;
    long limit = quantity(container.at("/resources/limits/memory").asText());
    assertTrue(limit >= heap + 256 * MIB + 512 * MIB, overlay + ": limit " + limit / MIB + " MiB for a heap of "
        + heap / MIB + " MiB");
    assertEquals(limit, quantity(container.at("/resources/requests/memory").asText()), "requests = limits: no eviction");
  }

  private static long quantity(String q) {
    return q.endsWith("Gi") ? Long.parseLong(q.replace("Gi", "")) * 1024 * MIB : Long.parseLong(q.replace("Mi", "")) * MIB;
  }

  private static List<String> args(JsonNode container) {
    List<String> out = new ArrayList<>();
    container.path("args").forEach(a -> out.add(a.asText()));
    return out;
  }

  private static List<String> mounts(JsonNode container) {
    List<String> out = new ArrayList<>();
    container.path("volumeMounts").forEach(m -> out.add(m.get("mountPath").asText()));
    return out;
  }

  private static String mountPath(JsonNode container, String volume) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.get("name").asText().equals(volume)) {
        return m.get("mountPath").asText();
      }
    }
    throw new AssertionError("no mount of " + volume);
  }

  private static int port(JsonNode container, String name) {
    for (JsonNode p : container.path("ports")) {
      if (p.get("name").asText().equals(name)) {
        return p.get("containerPort").asInt();
      }
    }
    throw new AssertionError("no port " + name);
  }

  private static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.get("name").asText().equals(name)) {
        return e.path("value").asText();
      }
    }
    return null;
  }

  /** Reads an overlay: its base's resources, then its patches merged over them, and its generated files. */
  static Rendered render(Path overlay) throws IOException {
    Rendered r = new Rendered();
    r.load(overlay);
    return r;
  }

  static final class Rendered {
    final Map<String, JsonNode> resources = new HashMap<>();
    final Map<String, Map<String, Path>> configMaps = new HashMap<>();
    final Map<String, Map<String, Path>> secrets = new HashMap<>();

    void load(Path dir) throws IOException {
      JsonNode k = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
      for (JsonNode res : k.path("resources")) {
        Path p = dir.resolve(res.asText()).normalize();
        if (Files.isDirectory(p)) {
          load(p);
        } else {
          JsonNode doc = YAML.readTree(p.toFile());
          resources.put(doc.get("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
        }
      }
      generated(dir, k.path("configMapGenerator"), configMaps);
      generated(dir, k.path("secretGenerator"), secrets);
      for (JsonNode patch : k.path("patches")) {
        JsonNode doc = YAML.readTree(dir.resolve(patch.get("path").asText()).toFile());
        String key = doc.get("kind").asText() + "/" + doc.at("/metadata/name").asText();
        JsonNode target = resources.get(key);
        assertNotNull(target, dir + ": patch of a resource the base does not have: " + key);
        resources.put(key, StrategicMerge.merge(target, doc));
      }
    }

    private static void generated(Path dir, JsonNode generators, Map<String, Map<String, Path>> into) {
      for (JsonNode g : generators) {
        Map<String, Path> files = into.computeIfAbsent(g.get("name").asText(), n -> new HashMap<>());
        if ("replace".equals(g.path("behavior").asText())) {
          files.clear();
        }
        for (JsonNode f : g.path("files")) {
          Path p = dir.resolve(f.asText());
          assertTrue(Files.isRegularFile(p), "generated from a file that exists: " + p);
          files.put(p.getFileName().toString(), p);
        }
      }
    }

    JsonNode get(String kind, String name) {
      JsonNode doc = resources.get(kind + "/" + name);
      assertNotNull(doc, kind + "/" + name + " in " + resources.keySet());
      return doc;
    }

    Map<String, String> configMap(String name, String file) {
      return MarginflowConfig.readProperties(configMaps.get(name).get(file));
    }

    /** A Secret's file from the overlay's generator; none (created outside, as in production): empty. */
    Map<String, String> secretFile(String name, String file) {
      Map<String, Path> files = secrets.get(name);
      return files == null || !files.containsKey(file) ? Map.of() : MarginflowConfig.readProperties(files.get(file));
    }
  }
}
