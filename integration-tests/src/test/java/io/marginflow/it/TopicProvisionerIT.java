package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.ops.topics.TopicProvisioner.Outcome;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.TopicDeclaration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@WithKafkaStack
class TopicProvisionerIT {

  @Test
  void shouldCreateThenLeaveAloneThenRepairDrift(KafkaStack kafka) throws Exception {
    List<TopicDeclaration> declared = TopicCatalog.defaults().all();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      TopicProvisioner provisioner = new TopicProvisioner(admin, (short) 1);

      assertEquals(Set.of(Outcome.CREATED), outcomes(provisioner.apply(declared, false)));
      // Created topics reach the broker's metadata asynchronously: wait for the listing, with a deadline.
      Set<String> names = declared.stream().map(TopicDeclaration::name).collect(Collectors.toSet());
      Records.await(Duration.ofSeconds(30), "every declared topic listed", () -> names.equals(listed(admin)));
      assertEquals(Set.of(Outcome.UNCHANGED), outcomes(provisioner.apply(declared, false)));

      ConfigResource usage = new ConfigResource(ConfigResource.Type.TOPIC, "usage.tokens.v1");
      admin.incrementalAlterConfigs(Map.of(usage, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1000"),
          AlterConfigOp.OpType.SET)))).all().get();
      admin.createPartitions(Map.of("margins.tenant.v1", NewPartitions.increaseTo(8))).all().get();

      Records.await(Duration.ofSeconds(30), "retention.ms altered", () -> "1000".equals(retention(admin, usage)));
      // The added partitions, too, reach the broker's metadata a moment later (a CI run checked before they had).
      Records.await(Duration.ofSeconds(30), "8 partitions of margins.tenant.v1", () -> {
        try {
          return admin.describeTopics(List.of("margins.tenant.v1")).allTopicNames().get().get("margins.tenant.v1")
              .partitions().size() == 8;
        } catch (Exception e) {
          return false;
        }
      });
      List<TopicProvisioner.Result> checked = provisioner.apply(declared, true);
      assertEquals(Outcome.CONFIG_DRIFT, outcomeOf(checked, "usage.tokens.v1"));
      assertEquals(Outcome.PARTITION_MISMATCH, outcomeOf(checked, "margins.tenant.v1"));

      List<TopicProvisioner.Result> applied = provisioner.apply(declared, false);
      assertEquals(Outcome.CONFIG_UPDATED, outcomeOf(applied, "usage.tokens.v1"));
      assertEquals(Outcome.PARTITION_MISMATCH, outcomeOf(applied, "margins.tenant.v1"));
      Records.await(Duration.ofSeconds(30), "retention.ms restored", () -> "604800000".equals(retention(admin, usage)));
      assertTrue(applied.stream().filter(TopicProvisioner.Result::isProblem).count() == 1);

      // Asked for 3 replicas, topics with 1 are reported (a problem), and left alone: min.insync.replicas=2 on a
      // single replica would refuse every acks=all write.
      List<TopicProvisioner.Result> replicated = new TopicProvisioner(admin, (short) 3).apply(declared, false);
      assertEquals(Outcome.REPLICATION_MISMATCH, outcomeOf(replicated, "usage.tokens.v1"));
      assertTrue(replicated.stream().allMatch(TopicProvisioner.Result::isProblem), replicated.toString());
      assertEquals("1", admin.describeConfigs(List.of(usage)).all().get().get(usage).get("min.insync.replicas").value());
    }
  }

  private static Set<String> listed(Admin admin) {
    try {
      return admin.listTopics().names().get().stream().filter(n -> !n.startsWith("_")).collect(Collectors.toSet());
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String retention(Admin admin, ConfigResource topic) {
    try {
      return admin.describeConfigs(List.of(topic)).all().get().get(topic).get("retention.ms").value();
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<Outcome> outcomes(List<TopicProvisioner.Result> results) {
    return results.stream().map(TopicProvisioner.Result::outcome).collect(Collectors.toSet());
  }

  private static Outcome outcomeOf(List<TopicProvisioner.Result> results, String topic) {
    return results.stream().filter(r -> r.topic().equals(topic)).findFirst().orElseThrow().outcome();
  }
}
