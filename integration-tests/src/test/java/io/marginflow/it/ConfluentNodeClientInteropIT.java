package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.replay.ScenarioLoad;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.registry.server.EmbeddedSchemaRegistry;
import io.marginflow.registry.store.SchemaStore;
import io.marginflow.schemas.SampleRecords;
import io.marginflow.serde.ConfluentAvroSerde;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves wire and REST compatibility against code no one here wrote: Confluent's JavaScript client
 * ({@code @confluentinc/schemaregistry}) decodes what our serde wrote, and our serde decodes what it wrote,
 * both through the embedded registry.
 */
class ConfluentNodeClientInteropIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();
  private static EmbeddedSchemaRegistry registry;
  private static NodeRunner node;

  @BeforeAll
  static void start() throws Exception {
    node = NodeRunner.prepare(Path.of("src/test/node"), "@confluentinc/schemaregistry", "kafkajs");
    registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, new SchemaStore());
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static <T extends SpecificRecord> ConfluentAvroSerde<T> serde(Class<T> type) {
    ConfluentAvroSerde<T> serde = new ConfluentAvroSerde<>(type);
    serde.configure(Map.of(RegistryClientConfig.URL, registry.url()), false);
    return serde;
  }

  @Test
  void shouldLetConfluentsClientDecodeWhatOurSerdeWrote() throws Exception {
    TokenUsage usage = SampleRecords.tokenUsage();
    byte[] bytes = serde(TokenUsage.class).serializer().serialize("interop.java.usage", usage);
    JsonNode decoded = JSON.readTree(node.node("interop.mjs", "decode", registry.url(), "interop.java.usage", HEX.formatHex(bytes)));
    assertEquals(usage.getEventId(), decoded.get("event_id").asText());
    assertEquals(usage.getTimestampMs().toEpochMilli(), decoded.get("timestamp_ms").asLong());
    assertEquals(usage.getTenantId(), decoded.get("tenant_id").asText());
    assertEquals(usage.getInputTokens(), decoded.get("input_tokens").asLong());
    assertEquals(usage.getCachedInputTokens(), decoded.get("cached_input_tokens").asLong());
    assertEquals(usage.getOutputTokens(), decoded.get("output_tokens").asLong());
    assertEquals(usage.getApiKeyId(), decoded.get("api_key_id").asText());
    assertEquals(true, decoded.get("request_id").isNull());

    PriceBookEntry price = SampleRecords.priceBookEntry();
    byte[] priceBytes = serde(PriceBookEntry.class).serializer().serialize("interop.java.prices", price);
    JsonNode p = JSON.readTree(node.node("interop.mjs", "decode", registry.url(), "interop.java.prices", HEX.formatHex(priceBytes)));
    assertEquals(price.getModel(), p.get("model").asText());
    assertEquals(unscaledHex(price.getInputUsdPerMtok()), p.get("input_usd_per_mtok").asText());
    assertEquals(unscaledHex(price.getCachedInputUsdPerMtok()), p.get("cached_input_usd_per_mtok").asText());
    assertEquals(unscaledHex(price.getOutputUsdPerMtok()), p.get("output_usd_per_mtok").asText());
  }

  @Test
  void shouldDecodeWhatConfluentsClientWrote(@TempDir Path dir) throws Exception {
    TokenUsage expected = SampleRecords.tokenUsage();
    ObjectNode json = JSON.createObjectNode().put("event_id", expected.getEventId())
        .put("timestamp_ms", expected.getTimestampMs().toEpochMilli()).put("tenant_id", expected.getTenantId())
        .put("model", expected.getModel()).put("region", expected.getRegion()).put("node_id", expected.getNodeId())
        .put("input_tokens", expected.getInputTokens()).put("cached_input_tokens", expected.getCachedInputTokens())
        .put("output_tokens", expected.getOutputTokens()).put("api_key_id", expected.getApiKeyId()).putNull("request_id");
    Path schema = Files.writeString(dir.resolve("TokenUsage.avsc"), TokenUsage.getClassSchema().toString());
    String hex = node.node("interop.mjs", "encode", registry.url(), "interop.node.usage", "interop.node.usage-value",
        schema.toString(), json.toString());
    assertEquals(expected, serde(TokenUsage.class).deserializer().deserialize("interop.node.usage", HEX.parseHex(hex)));

    PriceBookEntry price = SampleRecords.priceBookEntry();
    ObjectNode priceJson = JSON.createObjectNode().put("model", price.getModel())
        .put("input_usd_per_mtok", unscaledHex(price.getInputUsdPerMtok()))
        .put("cached_input_usd_per_mtok", unscaledHex(price.getCachedInputUsdPerMtok()))
        .put("output_usd_per_mtok", unscaledHex(price.getOutputUsdPerMtok()));
    Path priceSchema = Files.writeString(dir.resolve("PriceBookEntry.avsc"), PriceBookEntry.getClassSchema().toString());
    String priceHex = node.node("interop.mjs", "encode", registry.url(), "interop.node.prices", "interop.node.prices-value",
        priceSchema.toString(), priceJson.toString());
    assertEquals(price, serde(PriceBookEntry.class).deserializer().deserialize("interop.node.prices", HEX.parseHex(priceHex)));
  }

  /**
   * SPEC 1: a second consumer of the input topics (kafkajs with Confluent's Avro deserializer) reads every record a
   * scenario load wrote, tick records included, and none fails.
   */
  @Test
  void shouldLetConfluentsDeserializerReadEveryInputRecordTicksIncluded(@TempDir Path dir) throws Exception {
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      Pipelines.createTopicsForHistory(stack.bootstrapServers());
      Path scenario = dir.resolve("scenario");
      new ScenarioGenerator(new GeneratorOptions(4, 2, 1, 9, GeneratorOptions.DEFAULT_START, 1, null)).write(scenario);
      Scenario s = Scenario.read(scenario);
      Map<String, Long> written = ScenarioLoad.run(scenario, MarginflowConfig.of(Map.of(MarginflowConfig.SCHEMA_REGISTRY_URL,
          stack.registryUrl())), Map.of("bootstrap.servers", stack.bootstrapServers()), true, System.err);
      Topics topics = Topics.defaults();
      JsonNode read = JSON.readTree(node.node("read-topics.mjs", stack.bootstrapServers(), stack.registryUrl(),
          topics.usage(), topics.power()));
      for (String topic : List.of(topics.usage(), topics.power())) {
        JsonNode r = read.get(topic);
        assertEquals(0, r.path("failures").size(), topic + ": " + r);
        assertEquals(written.get(topic).longValue(), r.path("records").asLong(), topic + ": every record decoded");
        assertTrue(r.path("ticks").asLong() >= 6 * 2, topic + ": ticks on every partition, read as null values: " + r);
        assertEquals(0, r.path("nullWithoutTickHeader").asLong(), topic);
      }
      assertEquals(s.usage().stream().filter(Scenario.Row::ok).count(), written.get(topics.usage()).longValue());
    }
  }

  private static String unscaledHex(BigDecimal value) {
    return HEX.formatHex(value.unscaledValue().toByteArray());
  }
}
