package io.marginflow.ops.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image's entry point is the CLI the manifests call, as the user the manifests run as. */
class DockerfileTest {
  @Test
  void shouldRunTheCliAsTheManifestsUser() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("../Dockerfile"));
    String entry = lines.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
    JsonNode args = new ObjectMapper().readTree(entry.substring("ENTRYPOINT".length()).trim());
    String main = args.get(args.size() - 1).asText();
    assertEquals(io.marginflow.ops.cli.MarginflowCli.class.getName(), main);
    assertTrue(entry.contains("/app/marginflow-ops.jar") && lines.stream().anyMatch(l -> l.startsWith("COPY ops/target/")),
        "the jar the build makes");
    String user = lines.stream().filter(l -> l.startsWith("USER ")).findFirst().orElseThrow().substring(5).trim();
    JsonNode sts = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(Path.of("k8s/base/statefulset.yaml").toFile());
    assertEquals(user, sts.at("/spec/template/spec/securityContext/runAsUser").asText(), "the manifests' runAsUser");
    assertTrue(lines.stream().anyMatch(l -> l.contains("/var/lib/marginflow/state")), "the state volume's mount point exists");
  }
}
