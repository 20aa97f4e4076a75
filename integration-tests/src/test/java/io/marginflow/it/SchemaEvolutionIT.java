package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.RegistryException;
import io.marginflow.registry.SchemaRegistryClients;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.serde.WireFormat;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema evolution on the real registry and broker: the first half of a scenario is written with today's
 * {@code TokenUsage}, the second half by a producer with a newer one (an added optional field); both flow through and
 * the margins equal the reference. The registry refuses an incompatible {@code TokenUsage} with Confluent's error
 * code 409. A consumer of {@code margins.tenant.v1} that still has the previous {@code TenantMargin} schema (the
 * checked-in history) reads every margin.
 */
@WithKafkaStack
@Tag("fault")
class SchemaEvolutionIT {

  @Test
  void shouldReadOldAndNewProducersAndServeOldConsumers(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(5, 3, 2, 71, GeneratorOptions.DEFAULT_START, 2, null)).write(files);
    Scenario all = Scenario.read(files);
    long middle = GeneratorOptions.DEFAULT_START.toEpochMilli() + 3_600_000L + 600_000L;
    Map<String, Object> registry = Map.of("schema.registry.url", kafka.registryUrl());
    ConfluentAvroSerializer<SpecificRecord> current = new ConfluentAvroSerializer<>();
    current.configure(registry, false);
    CachingSchemaRegistryClient client = SchemaRegistryClients.create(registry);
    MarginflowSerdes serdes = new MarginflowSerdes(registry);
    Map<String, ReferenceMargins.Expected> reference = ReferenceMargins.compute(files, System.currentTimeMillis());
    Schema newer = withOptionalField(TokenUsage.getClassSchema(), "priority");
    String usageSubject = topics.usage() + "-value";

    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), current, topics, 60_000)) {
      producer.reference(all);
    }
    try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(
        Pipelines.settings(kafka, "schema-it", dir.resolve("state"))))) {
      try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), current, topics, 60_000)) {
        producer.events(Pipelines.slice(all, Long.MIN_VALUE, middle), System.currentTimeMillis(), 0, System.err);
      }
      int newerId = client.register(usageSubject, newer);
      try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(),
          newerUsage(current, newer, newerId, topics.usage()), topics, 60_000)) {
        producer.events(Pipelines.slice(all, middle, Long.MAX_VALUE), System.currentTimeMillis(), 25 * 3_600_000L,
            System.err);
      }
      RegistryException refused = assertThrows(RegistryException.class,
          () -> client.register(usageSubject, withTypeChanged(TokenUsage.getClassSchema(), "input_tokens")));
      assertEquals(409, refused.httpStatus(), refused.getMessage());
      assertEquals(RegistryException.INCOMPATIBLE_SCHEMA, refused.errorCode(), refused.getMessage());

      Records.await(Duration.ofMinutes(3), reference.size() + " hourly margins", () -> margins(kafka).stream()
          .filter(r -> serdes.value(TenantMargin.class).deserializer().deserialize(r.topic(), r.value()).getWindow()
              .equals("1h")).count() >= reference.size());
    }
    List<JsonNode> out = new ArrayList<>();
    Schema previous = new Schema.Parser().parse(Path.of("../schemas/src/history/TenantMargin/v1.avsc").toFile());
    for (ConsumerRecord<String, byte[]> r : margins(kafka)) {
      out.add(JsonLines.toJson(serdes.value(TenantMargin.class).deserializer().deserialize(r.topic(), r.value())));
      GenericRecord old = readWith(previous, client, r.value());
      assertEquals(out.get(out.size() - 1).get("tenant_id").asText(), old.get("tenant_id").toString(),
          "a consumer on the previous schema reads the same margin");
    }
    ReferenceMargins.assertMatches(files, out, ReferenceMargins.multipliers(kafka));
  }

  /** {@code schema} plus an optional string field (default null): a backward-compatible evolution. */
  private static Schema withOptionalField(Schema schema, String name) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
        "Added by a newer producer", Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  /** {@code schema} with field {@code name} turned into a string: readers of the old data cannot follow. */
  private static Schema withTypeChanged(Schema schema, String name) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(f.name().equals(name) ? new Schema.Field(name, Schema.create(Schema.Type.STRING), f.doc())
          : new Schema.Field(f, f.schema()));
    }
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  /** Writes TokenUsage with the newer schema (field set), everything else as today. */
  private static Serializer<SpecificRecord> newerUsage(ConfluentAvroSerializer<SpecificRecord> current, Schema newer,
      int newerId, String usageTopic) {
    GenericData withLogical = new GenericData();
    withLogical.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
    withLogical.addLogicalTypeConversion(new org.apache.avro.Conversions.DecimalConversion());
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(newer, withLogical);
    return (topic, value) -> {
      if (!(value instanceof TokenUsage u) || !topic.equals(usageTopic)) {
        return current.serialize(topic, value);
      }
      GenericRecord g = new GenericData.Record(newer);
      for (Schema.Field f : TokenUsage.getClassSchema().getFields()) {
        g.put(f.name(), u.get(f.pos()));
      }
      g.put("priority", "high");
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(WireFormat.MAGIC_BYTE);
        out.write(ByteBuffer.allocate(4).putInt(newerId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(g, encoder);
        encoder.flush();
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static GenericRecord readWith(Schema reader, CachingSchemaRegistryClient client, byte[] payload) throws IOException {
    Schema writer = client.getById(WireFormat.schemaId(payload));
    return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get()
        .binaryDecoder(payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE, null));
  }

  private static List<ConsumerRecord<String, byte[]>> margins(KafkaStack kafka) {
    return Records.readToEnd(kafka.consumerConfig("schema-reader"), Topics.defaults().margins(), Duration.ofSeconds(10),
        new StringDeserializer(), new ByteArrayDeserializer());
  }
}
