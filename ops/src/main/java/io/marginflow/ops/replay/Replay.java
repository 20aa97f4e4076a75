package io.marginflow.ops.replay;

import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.FileTrees;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.app.MarginflowApp;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.serde.AvroSerdeConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * SPEC 7: runs the real pipeline on a fresh embedded broker over a scenario directory and, once every window has
 * closed, writes margins.jsonl, alerts.jsonl, price_adjustments.jsonl, unit_costs.jsonl, dlq.jsonl (rows that do not parse or break a
 * validity rule) and late.jsonl (valid rows that came after their bucket was final).
 */
public final class Replay {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  private Replay() {
  }

  /** Runs the replay; {@code overrides} are settings from --config (topic names, grace, windows...). */
  public static void run(Path scenarioDir, Path outDir, Map<String, String> overrides, PrintStream progress)
      throws Exception {
    if (!Files.isDirectory(scenarioDir)) {
      throw new ConfigException("--scenario", scenarioDir.toString(), "not a directory");
    }
    Scenario scenario = Scenario.readReference(scenarioDir);
    MarginflowConfig.of(overrides);
    Files.createDirectories(outDir);
    Path work = FileTrees.scratch("marginflow-replay-");
    try (EmbeddedStack stack = EmbeddedStack.start(work.resolve("stack"), 0, 0)) {
      Map<String, String> settings = new HashMap<>(overrides);
      settings.put(MarginflowConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
      settings.put(MarginflowConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
      settings.put(MarginflowConfig.STATE_DIR, work.resolve("streams").toString());
      settings.putIfAbsent(MarginflowConfig.APPLICATION_ID, "marginflow-replay");
      MarginflowConfig config = MarginflowConfig.of(settings);
      createTopics(stack.bootstrapServers(), Topics.catalog(config));
      run(scenario, scenarioDir, config, stack, outDir, progress);
    } finally {
      FileTrees.deleteRecursively(work);
    }
  }

  private static void run(Scenario scenario, Path scenarioDir, MarginflowConfig config, EmbeddedStack stack, Path outDir,
      PrintStream progress) throws Exception {
    Topics topics = Topics.from(config);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", stack.registryUrl(), AvroSerdeConfig.AUTO_REGISTER, "true"), false);
    TopologyConfig shape = TopologyConfig.from(config, 1);
    ClosingTicks closing = ClosingTicks.of(shape);
    try (ScenarioProducer producer = new ScenarioProducer(stack.bootstrapServers(), serializer, topics, 60_000)) {
      producer.reference(scenario);
      try (MarginflowApp app = MarginflowApp.start(config, 0)) {
        // No need to wait for RUNNING: the app reads from the beginning, so producing overlaps its start-up.
        long now = System.currentTimeMillis();
        List<Scenario.Row<?>> unreadable = new ArrayList<>();
        long last = producer.events(Scenario.events(scenarioDir), now + shape.maxFutureSkewMs(), closing.afterMs(), progress,
            unreadable::add);
        closing.requireClosable(last, now);
        long unitCosts = 0;
        if (last != Long.MIN_VALUE) {
          long target = Completion.requiredFinalThrough(last, shape);
          Completion.awaitFinal(app, target, TIMEOUT, progress);
          unitCosts = Completion.awaitUnitCosts(app, target, TIMEOUT);
        }
        // The margin and pricing tasks count what they emitted: that many records must become visible (committed).
        long closed = Completion.emitted(app);
        ReplayOutputs.collect(stack.bootstrapServers(), topics, app.serdes(), producer, scenario, unreadable, scenarioDir, outDir,
            closed, unitCosts);
      }
    }
    progress.printf("replay: wrote %s%n", outDir.toAbsolutePath());
  }

  private static void createTopics(String bootstrap, TopicCatalog catalog) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      new TopicProvisioner(admin, (short) 1).apply(catalog.keepingEventsForever().all(), false);
    }
  }

  static Comparator<TenantMargin> marginOrder() {
    return Comparator.comparingLong(TenantMargin::getWindowSizeMs)
        .thenComparing(m -> m.getWindowStartMs().toEpochMilli())
        .thenComparing(TenantMargin::getTenantId);
  }
}
