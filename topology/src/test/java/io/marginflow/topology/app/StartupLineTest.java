package io.marginflow.topology.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.MarginflowTopology;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;

/** The start-up line: the topology's digest, and the configuration with every secret hidden. */
class StartupLineTest {
  @Test
  void shouldNameTheTopologyDigestAndHideSecrets() throws Exception {
    MarginflowConfig config = MarginflowConfig.of(Map.of(
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required password=\"hunter2\";",
        "kafka.ssl.truststore.password", "changeit", "basic.auth.user.info", "registry:s3cr3t",
        "http.tokens", "tok-123=admin", "schema.registry.url", "mock://startup"));
    Topology topology = MarginflowTopology.build(TopologyConfig.from(config, 6),
        new MarginflowSerdes(config.registryConfig()));
    String line = MarginflowApp.startupLine(topology, config);
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(topology.describe().toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    assertTrue(line.startsWith("Starting marginflow: topology " + digest + " ("), line);
    assertFalse(line.contains("\n"), "one line");
    for (String secret : new String[] {"hunter2", "changeit", "s3cr3t", "tok-123"}) {
      assertFalse(line.contains(secret), "hidden: " + secret + " in " + line);
    }
    assertTrue(line.contains("kafka.sasl.jaas.config=[hidden]") && line.contains("schema.registry.url=mock://startup"), line);
  }
}
