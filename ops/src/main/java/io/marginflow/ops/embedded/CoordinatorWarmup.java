package io.marginflow.ops.embedded;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Has a new broker create and load its group and transaction coordinators' topics in the background now, while the
 * caller creates topics and loads data, instead of on the first exactly-once task's initTransactions and the first
 * group join, which otherwise wait for them (about a second of every first start here). A transactional producer's
 * initialisation and a consumer's committed-offsets lookup find the coordinators, which creates their topics.
 */
final class CoordinatorWarmup {
  /** The broker's logger: warm-up messages read as the broker's. */
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private CoordinatorWarmup() {
  }

  /** Starts the warm-up on a daemon thread against {@code bootstrapServers}; interrupt it to give up. */
  static Thread start(String bootstrapServers) {
    Thread warmup = new Thread(() -> {
      Map<String, Object> common = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          CommonClientConfigs.CLIENT_ID_CONFIG, "embedded-broker-warmup");
      Map<String, Object> producer = new HashMap<>(common);
      producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "marginflow-embedded-warmup");
      Map<String, Object> consumer = new HashMap<>(common);
      consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "marginflow-embedded-warmup");
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
        c.committed(Set.of(new TopicPartition("marginflow-embedded-warmup", 0)), Duration.ofSeconds(30));
        p.initTransactions();
      } catch (RuntimeException e) {
        LOG.debug("Coordinator warm-up did not finish ({}); the first clients will wait for them instead", e.toString());
      }
    }, "embedded-broker-warmup");
    warmup.setDaemon(true);
    warmup.start();
    return warmup;
  }
}
