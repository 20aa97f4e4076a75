package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.registry.RestSchemaRegistryClient;
import io.marginflow.schemas.SampleRecords;
import io.marginflow.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WithKafkaStack
class AvroRoundTripIT {

  @Test
  void shouldProduceAndConsumeEveryRecordTypeThroughTheRegistry(KafkaStack kafka) throws Exception {
    Map<String, String> registry = Map.of(RegistryClientConfig.URL, kafka.registryUrl());
    List<SpecificRecord> records = SampleRecords.all();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(records.stream().map(r -> new NewTopic(topicOf(r), 2, (short) 1)).toList()).all().get();
    }
    for (SpecificRecord record : records) {
      String topic = topicOf(record);
      ConfluentAvroSerde<SpecificRecord> serde = serde(record, registry);
      try (KafkaProducer<String, SpecificRecord> producer =
          new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), serde.serializer())) {
        producer.send(new ProducerRecord<>(topic, "key-" + topic, record)).get();
      }
      List<ConsumerRecord<String, SpecificRecord>> read = Records.readAtLeast(kafka.consumerConfig("it-" + topic), topic, 1,
          Duration.ofSeconds(30), new StringDeserializer(), serde.deserializer());
      assertEquals(record, read.get(0).value(), topic);
      assertEquals("key-" + topic, read.get(0).key());
    }
    RestSchemaRegistryClient client = new RestSchemaRegistryClient(RegistryClientConfig.from(registry));
    for (SpecificRecord record : records) {
      assertEquals(record.getSchema(), client.latest(topicOf(record) + "-value").schema());
    }
    assertTrue(records.size() >= 11, "every SPEC record type is covered");
  }

  private static String topicOf(SpecificRecord record) {
    return "roundtrip." + record.getSchema().getName();
  }

  @SuppressWarnings("unchecked")
  private static ConfluentAvroSerde<SpecificRecord> serde(SpecificRecord record, Map<String, String> registry) {
    ConfluentAvroSerde<SpecificRecord> serde = new ConfluentAvroSerde<>((Class<SpecificRecord>) record.getClass());
    serde.configure(registry, false);
    return serde;
  }
}
