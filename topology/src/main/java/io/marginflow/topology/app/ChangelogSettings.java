package io.marginflow.topology.app;

import io.marginflow.topology.store.Changelogs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the window-store changelogs of an application created before they were declared with broker append time
 * (store/Changelogs) up to date at start-up: Kafka Streams never alters an existing internal topic, and without it a
 * backfill's changelog records are deleted by retention before a restore reads them. Topics that do not exist yet are
 * left to Kafka Streams, which creates them right.
 */
final class ChangelogSettings {
  private static final Logger LOG = LoggerFactory.getLogger(ChangelogSettings.class);

  private ChangelogSettings() {
  }

  /** Sets message.timestamp.type=LogAppendTime where an existing window-store changelog lacks it; returns the topics set. */
  static List<String> ensureAppendTime(Admin admin, String applicationId) {
    List<String> changed = new ArrayList<>();
    for (String store : Changelogs.WINDOW_STORES) {
      String topic = Changelogs.topic(applicationId, store);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      try {
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        ConfigEntry type = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
        if (type != null && "LogAppendTime".equals(type.value())) {
          continue;
        }
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> ops = new HashMap<>();
        ops.put(resource, List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
            "LogAppendTime"), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
        changed.add(topic);
        LOG.warn("Changelog {} was timestamped with event time, so a backfill's records could be deleted by retention "
            + "before a restore reads them; set message.timestamp.type=LogAppendTime on it (docs/RELIABILITY.md)", topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          LOG.error("Could not check or set message.timestamp.type=LogAppendTime on {} ({}); set it yourself: "
              + "kafka-configs --alter --entity-type topics --entity-name {} --add-config "
              + "message.timestamp.type=LogAppendTime", topic, e.getCause().toString(), topic);
        }
      } catch (TimeoutException e) {
        LOG.error("Timed out checking {}; set message.timestamp.type=LogAppendTime on it yourself", topic);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return changed;
      }
    }
    return changed;
  }
}
