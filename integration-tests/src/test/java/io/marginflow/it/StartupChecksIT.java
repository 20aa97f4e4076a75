package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.app.MarginflowApp;
import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topics that cannot work together stop the start-up with an error naming the setting, before Kafka Streams starts. */
@WithKafkaStack
class StartupChecksIT {

  @Test
  void shouldRefusePricingFeedbackOrCostSlicesWithAnotherPartitionCountThanTheInputs(KafkaStack kafka, @TempDir Path dir)
      throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("startup-usage", 4, (short) 1), new NewTopic("startup-power", 4, (short) 1),
          new NewTopic("startup-feedback", 2, (short) 1), new NewTopic("startup-feedback-ok", 4, (short) 1),
          new NewTopic("startup-slices", 3, (short) 1))).all().get(60, TimeUnit.SECONDS);
      // A topic just created reaches the broker's metadata a moment after the controller commits it.
      Records.await(java.time.Duration.ofSeconds(30), "the new topics described by the broker", () -> {
        try {
          admin.describeTopics(List.of("startup-usage", "startup-power", "startup-feedback", "startup-feedback-ok",
              "startup-slices")).allTopicNames()
              .get(10, TimeUnit.SECONDS);
          return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
    }
    Map<String, String> settings = new java.util.HashMap<>(Pipelines.settings(kafka, "startup-checks", dir));
    settings.put("topic.usage", "startup-usage");
    settings.put("topic.power", "startup-power");
    settings.put("topic.pricing-feedback", "startup-feedback");
    settings.put("topic.cost-slices", "startup-slices");
    ConfigException e = assertThrows(ConfigException.class, () -> MarginflowApp.start(MarginflowConfig.of(settings), 0));
    assertTrue(e.getMessage().contains("topic.pricing-feedback") && e.getMessage().contains("startup-feedback=2")
        && e.getMessage().contains("(4)"), e.getMessage());
    settings.put("topic.pricing-feedback", "startup-feedback-ok");
    ConfigException slices = assertThrows(ConfigException.class, () -> MarginflowApp.start(MarginflowConfig.of(settings), 0));
    assertTrue(slices.getMessage().contains("topic.cost-slices") && slices.getMessage().contains("startup-slices=3")
        && slices.getMessage().contains("(4)"), slices.getMessage());
  }
}
