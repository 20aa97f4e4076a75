package io.marginflow.topology.app;

import io.marginflow.topology.store.Changelogs;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the window-store changelogs of an application created before they were declared with broker append time
 * (store/Changelogs) up to date at start-up: Kafka Streams never alters an existing internal topic, and without it a
 * backfill's changelog records are deleted by retention before a restore reads them. Topics that do not exist yet are
 * left to Kafka Streams, which creates them right. One describe and at most one alter request.
 */
final class ChangelogSettings {
  private static final Logger LOG = LoggerFactory.getLogger(ChangelogSettings.class);
  private static final ConfigEntry APPEND_TIME = new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");

  private ChangelogSettings() {
  }

  /** Sets message.timestamp.type=LogAppendTime where an existing window-store changelog lacks it; returns the topics set. */
  static List<String> ensureAppendTime(Admin admin, String applicationId) {
    Map<ConfigResource, KafkaFuture<Config>> described = admin.describeConfigs(Changelogs.WINDOW_STORES.stream()
        .map(store -> new ConfigResource(ConfigResource.Type.TOPIC, Changelogs.topic(applicationId, store))).toList())
        .values();
    Map<ConfigResource, Collection<AlterConfigOp>> alter = new LinkedHashMap<>();
    try {
      for (Map.Entry<ConfigResource, KafkaFuture<Config>> e : described.entrySet()) {
        try {
          ConfigEntry type = e.getValue().get(30, TimeUnit.SECONDS).get(APPEND_TIME.name());
          if (type == null || !APPEND_TIME.value().equals(type.value())) {
            alter.put(e.getKey(), List.of(new AlterConfigOp(APPEND_TIME, AlterConfigOp.OpType.SET)));
          }
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw ex;
          }
        }
      }
      if (!alter.isEmpty()) {
        admin.incrementalAlterConfigs(alter).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("Could not check or set message.timestamp.type=LogAppendTime on the window-store changelogs of {} ({}); "
          + "set it yourself: kafka-configs --alter --entity-type topics --entity-name <topic> --add-config "
          + "message.timestamp.type=LogAppendTime, for {}", applicationId, e.getCause() == null ? e : e.getCause(),
          described.keySet().stream().map(ConfigResource::name).toList());
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
    List<String> changed = alter.keySet().stream().map(ConfigResource::name).toList();
    if (!changed.isEmpty()) {
      LOG.warn("Changelogs {} were timestamped with event time, so a backfill's records could be deleted by retention "
          + "before a restore reads them; set message.timestamp.type=LogAppendTime on them (docs/RELIABILITY.md)", changed);
    }
    return changed;
  }
}
