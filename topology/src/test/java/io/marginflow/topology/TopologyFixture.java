package io.marginflow.topology;

import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.registry.SchemaRegistryClients;
import io.marginflow.schemas.Money;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.ingest.Ticks;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.BudgetStatus;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;

/** A TopologyTestDriver over the real topology with an in-memory (mock://) registry, and input helpers. */
final class TopologyFixture implements AutoCloseable {
  static final long HOUR = 3_600_000L;
  /** 2026-01-05T10:00:00Z: a whole hour in the past. */
  static final long H = 1_767_607_200_000L;

  final TopologyConfig config;
  final MarginflowSerdes serdes;
  final TopologyTestDriver driver;
  final TestInputTopic<String, TokenUsage> usage;
  final TestInputTopic<String, PowerSample> power;
  final TestInputTopic<byte[], byte[]> usageRaw;
  final TestInputTopic<byte[], byte[]> powerRaw;
  final TestOutputTopic<String, TenantMargin> margins;
  final TestOutputTopic<byte[], byte[]> usageDlq;
  final TestOutputTopic<byte[], byte[]> powerDlq;
  final TestOutputTopic<byte[], byte[]> usageLate;
  final TestOutputTopic<byte[], byte[]> powerLate;
  final TestOutputTopic<String, BudgetAlert> budgetAlerts;
  final TestOutputTopic<String, BudgetStatus> budgetStatus;
  final TestOutputTopic<String, ModelRegionCost> unitCosts;
  final TestOutputTopic<String, PriceAdjustment> adjustments;
  private final String scope = "topology-" + UUID.randomUUID();
  /** The pipeline's meters, as the application passes them to its tasks. */
  final io.marginflow.topology.metrics.PipelineMeters meters = new io.marginflow.topology.metrics.PipelineMeters(
      "usage.tokens.v1", "telemetry.power.v1");
  private final Topics t;

  TopologyFixture() {
    this(TopologyConfig.defaults(1));
  }

  TopologyFixture(TopologyConfig config) {
    this.config = config;
    this.t = config.topics();
    this.serdes = new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://" + scope));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, "target/ttd-state/" + scope);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    props.put(io.marginflow.topology.metrics.PipelineMeters.CONFIG, meters);
    driver = new TopologyTestDriver(MarginflowTopology.build(config, serdes), props, Instant.now());
    usage = driver.createInputTopic(t.usage(), new StringSerializer(), serdes.value(TokenUsage.class).serializer());
    power = driver.createInputTopic(t.power(), new StringSerializer(), serdes.value(PowerSample.class).serializer());
    usageRaw = driver.createInputTopic(t.usage(), new ByteArraySerializer(), new ByteArraySerializer());
    powerRaw = driver.createInputTopic(t.power(), new ByteArraySerializer(), new ByteArraySerializer());
    margins = driver.createOutputTopic(t.margins(), new StringDeserializer(), serdes.value(TenantMargin.class).deserializer());
    usageDlq = bytesOut(Topics.dlq(t.usage()));
    powerDlq = bytesOut(Topics.dlq(t.power()));
    usageLate = bytesOut(Topics.late(t.usage()));
    powerLate = bytesOut(Topics.late(t.power()));
    budgetAlerts = driver.createOutputTopic(t.alertsBudget(), new StringDeserializer(),
        serdes.value(BudgetAlert.class).deserializer());
    budgetStatus = driver.createOutputTopic(t.budgetsStatus(), new StringDeserializer(),
        serdes.value(BudgetStatus.class).deserializer());
    unitCosts = driver.createOutputTopic(t.costs(), new StringDeserializer(),
        serdes.value(ModelRegionCost.class).deserializer());
    adjustments = driver.createOutputTopic(t.pricing(), new StringDeserializer(),
        serdes.value(PriceAdjustment.class).deserializer());
  }

  void budget(String tenant, BudgetPeriod period, BudgetMetric metric, String limitUsd, Double... thresholds) {
    Budget b = Budget.newBuilder().setTenantId(tenant).setPeriod(period).setMetric(metric).setLimitUsd(Money.usd(limitUsd))
        .setThresholds(List.of(thresholds)).build();
    driver.createInputTopic(t.budgets(), new StringSerializer(), serdes.value(Budget.class).serializer()).pipeInput(tenant, b);
  }

  private TestOutputTopic<byte[], byte[]> bytesOut(String topic) {
    return driver.createOutputTopic(topic, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
  }

  void node(String id, String region, String hardwareUsd, double years, double pue, String overheadUsd) {
    NodeProfile p = NodeProfile.newBuilder().setNodeId(id).setRegion(region).setGpuModel("H100").setGpuCount(8)
        .setGpuTdpWatts(700).setHardwareCostUsd(Money.usd(hardwareUsd)).setAmortizationYears(years).setPue(pue)
        .setHourlyOverheadUsd(Money.usd(overheadUsd)).build();
    driver.createInputTopic(t.nodes(), new StringSerializer(), serdes.value(NodeProfile.class).serializer()).pipeInput(id, p);
  }

  void price(String model, String in, String cached, String out) {
    PriceBookEntry e = PriceBookEntry.newBuilder().setModel(model).setInputUsdPerMtok(Money.usd(in))
        .setCachedInputUsdPerMtok(Money.usd(cached)).setOutputUsdPerMtok(Money.usd(out)).build();
    driver.createInputTopic(t.pricebook(), new StringSerializer(), serdes.value(PriceBookEntry.class).serializer())
        .pipeInput(model, e);
  }

  void energyPrice(String region, long effectiveFrom, String usdPerKwh) {
    EnergyPrice p = EnergyPrice.newBuilder().setRegion(region).setEffectiveFromMs(Instant.ofEpochMilli(effectiveFrom))
        .setUsdPerKwh(Money.usd(usdPerKwh)).build();
    driver.createInputTopic(t.energyPrices(), new StringSerializer(), serdes.value(EnergyPrice.class).serializer())
        .pipeInput(region, p);
  }

  static TokenUsage request(String id, long ts, String tenant, String model, String node, long in, long cached, long out) {
    return TokenUsage.newBuilder().setEventId(id).setTimestampMs(Instant.ofEpochMilli(ts)).setTenantId(tenant)
        .setModel(model).setRegion("eu-west").setNodeId(node).setInputTokens(in).setCachedInputTokens(cached)
        .setOutputTokens(out).build();
  }

  void send(TokenUsage u) {
    usage.pipeInput(u.getTenantId(), u);
  }

  void watts(String node, String gpu, long ts, long intervalMs, double watts) {
    power.pipeInput(node, PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(ts)).setNodeId(node).setGpuId(gpu)
        .setIntervalMs(intervalMs).setAvgPowerWatts(watts).build());
  }

  /** A tick on both event sources: their stream time reaches {@code ts}. */
  void tick(long ts) {
    usageRaw.pipeInput(new TestRecord<>(null, null, new RecordHeaders(Ticks.headers().toArray()), ts));
    powerRaw.pipeInput(new TestRecord<>(null, null, new RecordHeaders(Ticks.headers().toArray()), ts));
  }

  /** Ticks far enough past {@code lastEventMs} for every default window holding it to close. */
  void closeEverythingAfter(long lastEventMs) {
    tick(lastEventMs + 25 * HOUR + config.graceMs() + 2 * config.bucketMs());
  }

  List<TenantMargin> margins(String window) {
    return margins.readValuesToList().stream().filter(m -> m.getWindow().equals(window)).toList();
  }

  @Override
  public void close() {
    driver.close();
    SchemaRegistryClients.dropMockScope(scope);
  }
}
