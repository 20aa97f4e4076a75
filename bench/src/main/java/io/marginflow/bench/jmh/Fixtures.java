package io.marginflow.bench.jmh;

import io.marginflow.avro.TokenUsage;
import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.InMemorySchemaRegistryClient;
import io.marginflow.registry.store.SchemaStore;
import io.marginflow.serde.AvroSerdeConfig;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.serde.ConfluentAvroSerde;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Inputs shaped like the synthetic load's, serialized over an in-memory registry. */
final class Fixtures {
  static final long T0 = 1_767_607_200_000L;
  private final CachingSchemaRegistryClient client = new CachingSchemaRegistryClient(
      new InMemorySchemaRegistryClient(new SchemaStore()));

  <T extends SpecificRecord> ConfluentAvroSerde<T> serde(Class<T> type) {
    return new ConfluentAvroSerde<>(type, client, Map.of(AvroSerdeConfig.AUTO_REGISTER, "true"), false);
  }

  static TokenUsage usage(long i) {
    return TokenUsage.newBuilder().setEventId("ev-" + i).setTimestampMs(Instant.ofEpochMilli(T0 + i))
        .setTenantId("tenant-" + (i % 200)).setModel("llama-3.1-70b").setRegion("us-east").setNodeId("node-" + (i % 32))
        .setInputTokens(1_200).setCachedInputTokens(300).setOutputTokens(400).build();
  }

  byte[] usageBytes(long i) {
    return serde(TokenUsage.class).serializer().serialize("usage.tokens.v1", usage(i));
  }

  ConfluentAvroDeserializer<TokenUsage> usageDeserializer() {
    return (ConfluentAvroDeserializer<TokenUsage>) serde(TokenUsage.class).deserializer();
  }
}
