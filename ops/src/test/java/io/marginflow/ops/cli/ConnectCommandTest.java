package io.marginflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connector files as Connect's REST API, a flat JSON object, or connect-standalone's properties. */
class ConnectCommandTest {
  @Test
  void shouldReadTheThreeFormats(@TempDir Path dir) throws Exception {
    Path rest = Files.writeString(dir.resolve("a.json"), "{\"name\":\"p\",\"config\":{\"connector.class\":\"X\","
        + "\"tasks.max\":2}}");
    assertEquals(Map.of("name", "p", "connector.class", "X", "tasks.max", "2"), ConnectCommand.connectorConfig(rest));
    Path flat = Files.writeString(dir.resolve("b.json"), "{\"name\":\"q\",\"connector.class\":\"Y\"}");
    assertEquals(Map.of("name", "q", "connector.class", "Y"), ConnectCommand.connectorConfig(flat));
    Path props = Files.writeString(dir.resolve("c.properties"), "name=r\nconnector.class=Z\n");
    assertEquals(Map.of("name", "r", "connector.class", "Z"), ConnectCommand.connectorConfig(props));
    Path nameless = Files.writeString(dir.resolve("d.json"), "{\"connector.class\":\"Y\"}");
    assertTrue(assertThrows(ConfigException.class, () -> ConnectCommand.connectorConfig(nameless)).getMessage()
        .contains("needs a name"));
  }

  @Test
  void shouldReadTheShippedExamples() throws Exception {
    Path config = Path.of("../connectors/config");
    Map<String, String> dcgm = ConnectCommand.connectorConfig(config.resolve("power-dcgm.json"));
    assertEquals("io.marginflow.connectors.power.PowerSourceConnector", dcgm.get("connector.class"));
    new io.marginflow.connectors.power.PowerSourceConfig(dcgm);
    new io.marginflow.connectors.power.PowerSourceConfig(ConnectCommand.connectorConfig(config.resolve("power-dcgm.properties")));
    new io.marginflow.connectors.power.PowerSourceConfig(ConnectCommand.connectorConfig(config.resolve("power-kepler.properties")));
    Map<String, String> ingest = io.marginflow.topology.config.MarginflowConfig.readProperties(config.resolve("ingest.properties"));
    assertEquals(4318, io.marginflow.ops.ingest.IngestConfig.from(ingest, Map.of(), Map.of()).getInt("ingest.port"));
    io.marginflow.topology.config.MarginflowConfig.of(io.marginflow.ops.ingest.IngestConfig.others(ingest));
  }
}
