package io.marginflow.it;

import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.store.Changelogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application created before the window-store changelogs were declared with broker append time keeps its old
 * internal topics (Kafka Streams never alters them): start-up sets message.timestamp.type=LogAppendTime on them, so
 * that a backfill's changelog records are not deleted by retention before a restore reads them (docs/RELIABILITY.md).
 */
@WithKafkaStack
@Tag("fault")
class ChangelogUpgradeIT {

  @Test
  void shouldMoveAnOldApplicationsWindowChangelogsToAppendTime(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      List<NewTopic> old = new ArrayList<>();
      for (String store : Changelogs.WINDOW_STORES) {
        old.add(new NewTopic(Changelogs.topic("upgrade-it", store), 6, (short) 1).configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete", TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime")));
      }
      admin.createTopics(old).all().get();
      // The old topics must be visible to the broker before the app starts, or its check sees none and leaves them.
      Records.await(Duration.ofSeconds(30), "the old changelogs in the broker's metadata", () -> {
        try {
          return Pipelines.windowChangelogTimestampTypes(admin, "upgrade-it").values().stream().allMatch("CreateTime"::equals);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(
          Pipelines.settings(kafka, "upgrade-it", dir.resolve("state"))))) {
        Pipelines.assertWindowChangelogsUseAppendTime(admin, "upgrade-it");
      }
    }
  }
}
