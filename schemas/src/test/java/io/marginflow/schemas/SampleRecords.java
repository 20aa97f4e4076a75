package io.marginflow.schemas;

import io.marginflow.avro.AlertMetric;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.CapacityAlertKind;
import io.marginflow.avro.DeadLetter;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated instance of every record type, with awkward values (nano-dollars, negatives, nulls). */
public final class SampleRecords {
  public static final Instant T = Instant.ofEpochMilli(1_700_000_000_123L);

  private SampleRecords() {
  }

  public static List<SpecificRecord> all() {
    return List.of(tokenUsage(), powerSample(), nodeProfile(), priceBookEntry(), energyPrice(), budget(), tenantMargin(),
        budgetAlert(), capacityAlert(), priceAdjustment(), deadLetter());
  }

  public static TokenUsage tokenUsage() {
    return TokenUsage.newBuilder().setEventId("ev-1").setTimestampMs(T).setTenantId("acme").setModel("llama-3-70b")
        .setRegion("eu-west").setNodeId("node-1").setInputTokens(1200).setCachedInputTokens(200).setOutputTokens(350)
        .setApiKeyId("key-9").setRequestId(null).build();
  }

  public static PowerSample powerSample() {
    return PowerSample.newBuilder().setTimestampMs(T).setNodeId("node-1").setGpuId("0").setIntervalMs(15_000)
        .setAvgPowerWatts(612.5).setGpuUtilization(0.83).build();
  }

  public static NodeProfile nodeProfile() {
    return NodeProfile.newBuilder().setNodeId("node-1").setRegion("eu-west").setGpuModel("H100-SXM").setGpuCount(8)
        .setGpuTdpWatts(700).setHardwareCostUsd(Money.usd("250000")).setAmortizationYears(3).setPue(1.25)
        .setHourlyOverheadUsd(Money.usd("1.75")).build();
  }

  public static PriceBookEntry priceBookEntry() {
    return PriceBookEntry.newBuilder().setModel("llama-3-70b").setInputUsdPerMtok(Money.usd("0.59"))
        .setCachedInputUsdPerMtok(Money.usd("0.059")).setOutputUsdPerMtok(Money.usd("0.79")).build();
  }

  public static EnergyPrice energyPrice() {
    return EnergyPrice.newBuilder().setRegion("eu-west").setEffectiveFromMs(T).setUsdPerKwh(Money.usd("0.123456789")).build();
  }

  public static Budget budget() {
    return Budget.newBuilder().setTenantId("acme").setPeriod(BudgetPeriod.MONTHLY).setMetric(BudgetMetric.SPEND)
        .setLimitUsd(Money.usd("10000")).build();
  }

  public static TenantMargin tenantMargin() {
    return TenantMargin.newBuilder().setTenantId("acme").setWindow("1h").setWindowSizeMs(3_600_000)
        .setWindowStartMs(Instant.ofEpochMilli(1_699_999_200_000L)).setWindowEndMs(Instant.ofEpochMilli(1_700_002_800_000L))
        .setRequests(3).setInputTokens(3600).setCachedInputTokens(600).setOutputTokens(1050).setEnergyKwh(0.0421)
        .setRevenueUsd(Money.usd("0.002600000")).setEnergyCostUsd(Money.usd("0.001000001"))
        .setFixedCostUsd(Money.usd("0.002000002")).setTotalCostUsd(Money.usd("0.003000003"))
        .setGrossMarginUsd(Money.usd("-0.000400003")).setMarginRatio(Money.usd("-0.153847308")).setUnpricedRequests(0)
        .build();
  }

  public static BudgetAlert budgetAlert() {
    return BudgetAlert.newBuilder().setAlertId("acme|MONTHLY|2023-11|THRESHOLD|0.8").setKind(BudgetAlertKind.THRESHOLD)
        .setTenantId("acme").setMetric(AlertMetric.SPEND).setPeriodStartMs(Instant.ofEpochMilli(1_698_796_800_000L))
        .setPeriodEndMs(Instant.ofEpochMilli(1_701_388_800_000L)).setAmountUsd(Money.usd("8000.000000001"))
        .setLimitUsd(Money.usd("10000")).setThreshold(0.8).setProjectedUsd(null).setObservedAtMs(T)
        .setMessage("acme reached 80% of its monthly spend budget").build();
  }

  public static CapacityAlert capacityAlert() {
    return CapacityAlert.newBuilder().setAlertId("node-1|1699999200000|ZOMBIE_NODE").setKind(CapacityAlertKind.ZOMBIE_NODE)
        .setNodeId("node-1").setWindowStartMs(Instant.ofEpochMilli(1_699_999_200_000L))
        .setWindowEndMs(Instant.ofEpochMilli(1_700_002_800_000L)).setNodeCostUsd(Money.usd("12.5"))
        .setIdleCostUsd(Money.usd("12.4")).setIdleShare(0.992).setObservedAtMs(T).build();
  }

  public static PriceAdjustment priceAdjustment() {
    return PriceAdjustment.newBuilder().setModel("llama-3-70b").setRegion("eu-west").setPreviousMultiplier(Money.usd("1"))
        .setMultiplier(Money.usd("1.05")).setEffectiveFromMs(T).setRealizedMarginRatio(Money.usd("0.12"))
        .setComputePressure(0.91).setReason("margin 0.12 < target 0.30 at pressure 0.91: +0.05").build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder().setSourceTopic("usage.tokens.v1").setPartition(2).setOffset(42)
        .setReason("INVALID_TOKENS").setDetail("cached_input_tokens 900 > input_tokens 100").setObservedAtMs(T)
        .setOriginalKey(ByteBuffer.wrap("acme".getBytes(StandardCharsets.UTF_8)))
        .setOriginalValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 2, 3})).build();
  }
}
