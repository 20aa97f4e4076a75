package io.marginflow.ops.topics;

import io.marginflow.topology.TopicDeclaration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates missing topics and checks existing ones against their declarations; idempotent. Config drift is
 * corrected (unless checking only); a partition-count difference is reported, never changed, because it
 * would move keys between partitions and break co-partitioning; so is a replication factor other than the one asked
 * for (moving replicas is a reassignment, RUNBOOK). With 3 or more replicas asked for, every topic also gets {@code
 * min.insync.replicas=2}: a write acknowledged with {@code acks=all} is then on two brokers before anyone reads it.
 */
public final class TopicProvisioner {

  /** What happened to one topic. */
  public enum Outcome { CREATED, UNCHANGED, CONFIG_UPDATED, MISSING, CONFIG_DRIFT, PARTITION_MISMATCH,
    REPLICATION_MISMATCH }

  /** One line of the report. */
  public record Result(String topic, Outcome outcome, String detail) {
    public boolean isProblem() {
      return outcome == Outcome.PARTITION_MISMATCH || outcome == Outcome.CONFIG_DRIFT || outcome == Outcome.MISSING
          || outcome == Outcome.REPLICATION_MISMATCH;
    }
  }

  static final String MIN_INSYNC = "min.insync.replicas";
  private final Admin admin;
  private final short replicationFactor;

  /** {@code replicationFactor} -1 uses the broker's default. */
  public TopicProvisioner(Admin admin, short replicationFactor) {
    this.admin = admin;
    this.replicationFactor = replicationFactor;
  }

  /** Applies the declarations; with {@code checkOnly} nothing is created or altered, only reported. */
  public List<Result> apply(Collection<TopicDeclaration> declarations, boolean checkOnly)
      throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<Result> results = new ArrayList<>();
    List<TopicDeclaration> present = new ArrayList<>();
    List<TopicDeclaration> missing = new ArrayList<>();
    for (TopicDeclaration t : declarations) {
      (existing.contains(t.name()) ? present : missing).add(t);
    }
    if (checkOnly) {
      missing.forEach(t -> results.add(new Result(t.name(), Outcome.MISSING, "does not exist")));
    } else if (!missing.isEmpty()) {
      results.addAll(create(missing, present));
    }
    if (!present.isEmpty()) {
      results.addAll(check(present, checkOnly));
    }
    return results;
  }

  /**
   * Creates {@code missing} in one request (the controller commits them together: one topic at a time took 0.1 s
   * each); one created meanwhile by someone else joins {@code present}, to be checked.
   */
  private List<Result> create(List<TopicDeclaration> missing, List<TopicDeclaration> present)
      throws ExecutionException, InterruptedException {
    Map<String, KafkaFuture<Void>> created = admin.createTopics(missing.stream().map(t -> new NewTopic(t.name(),
        Optional.of(t.partitions()), replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
        .configs(configs(t))).toList()).values();
    List<Result> results = new ArrayList<>();
    for (TopicDeclaration t : missing) {
      try {
        created.get(t.name()).get();
        results.add(new Result(t.name(), Outcome.CREATED, t.partitions() + " partitions " + configs(t)));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        present.add(t);
      }
    }
    awaitLeaders(results.stream().map(Result::topic).toList());
    return results;
  }

  /**
   * Waits (up to 30 s) until every partition of {@code topics} has a leader that serves it: the metadata names one, and
   * the leader answers ListOffsets for it (its replica manager has created the log). A producer that writes to a topic
   * created a moment before otherwise meets KAFKA-15591: its first request fails NOT_LEADER_OR_FOLLOWER while a later
   * one is appended, and the first then spins on OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms expires it
   * (seen on the embedded broker: a bench preload lost a batch of reference.budgets.v1 that way).
   */
  private void awaitLeaders(List<String> topics) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!topics.isEmpty() && System.nanoTime() < deadline) {
      try {
        var descriptions = admin.describeTopics(topics).allTopicNames().get().values();
        boolean ready = descriptions.stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (ready) {
          Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all = new java.util.HashMap<>();
          descriptions.forEach(d -> d.partitions().forEach(p -> all.put(new org.apache.kafka.common.TopicPartition(d.name(),
              p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest())));
          admin.listOffsets(all).all().get();
          return;
        }
      } catch (ExecutionException notYetServed) {
        // the broker does not know or serve one of them yet: ask again
      }
      java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
    }
  }


  private List<Result> check(List<TopicDeclaration> present, boolean checkOnly)
      throws ExecutionException, InterruptedException {
    Map<String, TopicDescription> descriptions = admin.describeTopics(present.stream().map(TopicDeclaration::name).toList())
        .allTopicNames().get();
    Map<ConfigResource, Config> configs = admin.describeConfigs(present.stream()
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList()).all().get();
    List<Result> results = new ArrayList<>();
    for (TopicDeclaration t : present) {
      int actual = descriptions.get(t.name()).partitions().size();
      if (actual != t.partitions()) {
        results.add(new Result(t.name(), Outcome.PARTITION_MISMATCH,
            "has " + actual + " partitions, declared " + t.partitions() + " (not changed: it would move keys)"));
        continue;
      }
      int replicas = descriptions.get(t.name()).partitions().get(0).replicas().size();
      if (replicationFactor > 0 && replicas != replicationFactor) {
        results.add(new Result(t.name(), Outcome.REPLICATION_MISMATCH, "has " + replicas + " replica(s), asked for "
            + replicationFactor + " (not changed: reassign its partitions, docs/RUNBOOK.md \"A lost broker\")"));
        continue;
      }
      Map<String, String> drift = drift(configs(t), configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name())));
      if (drift.isEmpty()) {
        results.add(new Result(t.name(), Outcome.UNCHANGED, ""));
      } else if (checkOnly) {
        results.add(new Result(t.name(), Outcome.CONFIG_DRIFT, "differs: " + drift));
      } else {
        alter(t.name(), drift);
        results.add(new Result(t.name(), Outcome.CONFIG_UPDATED, "set " + drift));
      }
    }
    return results;
  }

  /** The declaration's settings, and min.insync.replicas=2 when 3 or more replicas are asked for. */
  Map<String, String> configs(TopicDeclaration t) {
    if (replicationFactor < 3) {
      return t.configs();
    }
    Map<String, String> c = new HashMap<>(t.configs());
    c.put(MIN_INSYNC, "2");
    return c;
  }

  private static Map<String, String> drift(Map<String, String> wanted, Config actual) {
    Map<String, String> drift = new HashMap<>();
    wanted.forEach((key, value) -> {
      ConfigEntry entry = actual.get(key);
      if (entry == null || !value.equals(entry.value())) {
        drift.put(key, value);
      }
    });
    return drift;
  }

  private void alter(String topic, Map<String, String> values) throws ExecutionException, InterruptedException {
    List<AlterConfigOp> ops = values.entrySet().stream()
        .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET)).toList();
    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops)).all().get();
  }
}
