package io.marginflow.it;

import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Setting up real pipelines in integration tests: topics for replayed history, instance settings. */
final class Pipelines {
  private Pipelines() {
  }

  /** Every declared topic, the event topics keeping everything: test scenarios are history. */
  static void createTopicsForHistory(KafkaStack kafka) throws Exception {
    createTopicsForHistory(kafka.bootstrapServers());
  }

  static void createTopicsForHistory(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      new TopicProvisioner(admin, (short) 1).apply(TopicCatalog.defaults().keepingEventsForever().all(), false);
    }
  }

  /** Settings of one instance of application {@code appId} on {@code kafka}, any free HTTP port. */
  static Map<String, String> settings(KafkaStack kafka, String appId, Path stateDir) {
    Map<String, String> s = new HashMap<>();
    s.put(MarginflowConfig.APPLICATION_ID, appId);
    s.put(MarginflowConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    s.put(MarginflowConfig.SCHEMA_REGISTRY_URL, kafka.registryUrl());
    s.put(MarginflowConfig.STATE_DIR, stateDir.toString());
    s.put(MarginflowConfig.HTTP_PORT, "0");
    return s;
  }

  /** The usage and power rows of {@code s} with event times in [from, to), in file order; reference data as is. */
  static Scenario slice(Scenario s, long from, long to) {
    return new Scenario(
        s.usage().stream().filter(r -> r.ok() && r.record().getTimestampMs().toEpochMilli() >= from
            && r.record().getTimestampMs().toEpochMilli() < to).toList(),
        s.power().stream().filter(r -> r.ok() && r.record().getTimestampMs().toEpochMilli() >= from
            && r.record().getTimestampMs().toEpochMilli() < to).toList(),
        s.nodes(), s.pricebook(), s.energyPrices(), s.budgets());
  }

  /** The sum of the end offsets of {@code topic}'s partitions (records and tick records). */
  static long endOffsets(Admin admin, String topic) throws Exception {
    int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
    }
    return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
  }

  /**
   * Waits until application {@code app} has consumed and committed everything now on {@code topics} (their end offsets
   * as of this call): what was produced to them so far has been processed downstream.
   */
  static void awaitConsumed(Admin admin, String app, java.util.List<String> topics, Duration timeout) throws Exception {
    Map<String, Long> ends = new java.util.LinkedHashMap<>();
    for (String topic : topics) {
      ends.put(topic, endOffsets(admin, topic));
    }
    Records.await(timeout, app + " consumed " + ends, () -> ends.entrySet().stream()
        .allMatch(e -> committedOffsets(admin, app, e.getKey()) >= e.getValue()));
  }

  /** The sum of consumer group {@code group}'s committed offsets on {@code topic}; -1 while they cannot be read. */
  static long committedOffsets(Admin admin, String group, String topic) {
    try {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, java.util.concurrent.TimeUnit.SECONDS)
          .entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * The changelogs of every window store of application {@code appId} are timestamped by the broker on append, so
   * that a backfill's event-time timestamps do not let the broker delete them before a restore reads them.
   */
  static void assertWindowChangelogsUseAppendTime(Admin admin, String appId) throws Exception {
    // A change of an existing topic's settings reaches the broker's metadata a moment after the controller commits it.
    Records.await(java.time.Duration.ofSeconds(30), "every window changelog of " + appId + " on LogAppendTime", () -> {
      try {
        return windowChangelogTimestampTypes(admin, appId).values().stream().allMatch("LogAppendTime"::equals);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    java.util.Map<String, String> types = windowChangelogTimestampTypes(admin, appId);
    for (java.util.Map.Entry<String, String> e : types.entrySet()) {
      org.junit.jupiter.api.Assertions.assertEquals("LogAppendTime", e.getValue(), e.getKey());
    }
  }

  /**
   * message.timestamp.type of each window-store changelog of {@code appId} by topic name; null for a topic the broker
   * does not know (yet: a topic just created reaches the broker's metadata a moment after the controller commits it).
   */
  static java.util.Map<String, String> windowChangelogTimestampTypes(Admin admin, String appId) throws Exception {
    java.util.Map<String, String> types = new java.util.TreeMap<>();
    for (String store : io.marginflow.topology.store.Changelogs.WINDOW_STORES) {
      org.apache.kafka.common.config.ConfigResource topic = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.TOPIC, io.marginflow.topology.store.Changelogs.topic(appId, store));
      try {
        types.put(topic.name(), admin.describeConfigs(java.util.List.of(topic)).all().get().get(topic)
            .get(org.apache.kafka.common.config.TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value());
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        types.put(topic.name(), null);
      }
    }
    return types;
  }
}
