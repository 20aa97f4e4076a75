package io.marginflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.ops.connect.Lake;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /**
   * Each lake table's example sink file is what {@code connect --lake} runs for that table, but for the addresses and
   * the catalog (which an operator edits); the catalog examples read as catalog settings.
   */
  @Test
  void shouldShipALakeExampleForEachTableAsTheLakeRunsIt() throws Exception {
    Path config = Path.of("../connectors/config");
    Map<String, String> catalog = ConnectCommand.catalogSettings(config.resolve("lake-catalog-rest.properties"));
    assertEquals("rest", catalog.get("type"));
    for (String c : new String[] {"jdbc", "glue"}) {
      assertEquals(c, ConnectCommand.catalogSettings(config.resolve("lake-catalog-" + c + ".properties")).get("type"));
    }
    List<Map<String, String>> sinks = Lake.sinks(Topics.catalog(MarginflowConfig.of(Map.of())),
        Map.of("bootstrap.servers", "localhost:9092"), "http://localhost:8081", Map.of(), 60_000);
    for (int i = 0; i < LakeTable.values().length; i++) {
      LakeTable t = LakeTable.values()[i];
      Map<String, String> file = ConnectCommand.connectorConfig(config.resolve(t.connector() + ".properties"));
      file.keySet().removeIf(k -> k.startsWith("iceberg.catalog."));
      assertEquals(sinks.get(i), file, t.connector());
    }
  }

  @Test
  void shouldTakeCatalogSettingsWithOrWithoutTheSinksPrefix(@TempDir Path dir) throws Exception {
    Path prefixed = Files.writeString(dir.resolve("c.properties"), "iceberg.catalog.type=rest\nuri=http://c\n");
    assertEquals(Map.of("type", "rest", "uri", "http://c"), ConnectCommand.catalogSettings(prefixed));
    Path typeless = Files.writeString(dir.resolve("d.properties"), "uri=http://c\n");
    assertTrue(assertThrows(ConfigException.class, () -> ConnectCommand.catalogSettings(typeless)).getMessage()
        .contains("--lake-catalog"));
  }

  /** The lake's sinks' own Kafka clients get the worker's brokers and security, nothing else of its settings. */
  @Test
  void shouldGiveTheSinksClientsTheWorkersBrokersAndSecurity() {
    Map<String, String> worker = Map.of("bootstrap.servers", "kafka:9093", "security.protocol", "SASL_SSL",
        "sasl.mechanism", "SCRAM-SHA-512", "ssl.truststore.location", "/etc/t.jks", "group.id", "g",
        "offset.storage.topic", "o");
    Map<String, String> sink = Lake.sinks(Topics.catalog(MarginflowConfig.of(Map.of())), Lake.kafkaClient(worker),
        "http://r", Map.of(), 1_000).get(0);
    assertEquals("kafka:9093", sink.get("iceberg.kafka.bootstrap.servers"));
    assertEquals("SASL_SSL", sink.get("iceberg.kafka.security.protocol"));
    assertEquals("SCRAM-SHA-512", sink.get("iceberg.kafka.sasl.mechanism"));
    assertEquals("/etc/t.jks", sink.get("iceberg.kafka.ssl.truststore.location"));
    assertEquals(null, sink.get("iceberg.kafka.group.id"));
  }
}
