package io.marginflow.ops.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.replay.JsonLines;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one policy's replay earned: per tenant the sums of its 1h windows (tumbling, so each request and each cost
 * share counts once; {@code __idle__} carries the capacity nobody used) and every price adjustment it made.
 */
public record PolicyOutcome(String policy, Map<String, String> settings, SortedMap<String, Totals> tenants,
    List<Adjustment> adjustments, long fromMs, long toMs, Demand demand) {
  static final String WINDOW = "1h";
  private static final BigDecimal UNADJUSTED = BigDecimal.ONE.setScale(9);

  public PolicyOutcome {
    settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
    tenants = Collections.unmodifiableSortedMap(new TreeMap<>(tenants));
    adjustments = List.copyOf(adjustments);
  }

  /**
   * The demand model the outcome was replayed under and the passes toward its fixed point: each pass replays the
   * demand the previous pass's multipliers drew; {@code distance} is the largest change of any multiplier at any time
   * against the multipliers that pass's demand answered (null for the first).
   */
  public record Demand(DemandModel model, List<Pass> passes, boolean converged) {
    static final Demand FIXED = new Demand(DemandModel.FIXED, List.of(), true);

    public Demand {
      passes = List.copyOf(passes);
    }
  }

  /** One replay of a fixed point: requests served, revenue, margin, and how far its multipliers moved. */
  public record Pass(long requests, BigDecimal revenueUsd, BigDecimal marginUsd, BigDecimal distance) {
  }

  /** This outcome under {@code d}. */
  PolicyOutcome with(Demand d) {
    return new PolicyOutcome(policy, settings, tenants, adjustments, fromMs, toMs, d);
  }

  /** The cost of the capacity nobody used ({@code __idle__}). */
  public BigDecimal idleCostUsd() {
    return tenant(io.marginflow.topology.domain.Attribution.IDLE).costUsd();
  }

  /** The share of the GPUs' cost that served requests: 1 - idle cost / cost, 6 decimals; null without cost. */
  public BigDecimal gpuUtilization() {
    BigDecimal cost = total().costUsd();
    return cost.signum() == 0 ? null : BigDecimal.ONE.subtract(idleCostUsd().divide(cost, 6, RoundingMode.HALF_EVEN));
  }

  /** Revenue, cost and margin over a set of windows, exact to the nano-dollar. */
  public record Totals(long requests, BigDecimal revenueUsd, BigDecimal costUsd) {
    /** Money is in nano-dollars (SPEC 4): 9 decimals, and a figure with more is refused rather than rounded. */
    public Totals {
      revenueUsd = revenueUsd.setScale(9, RoundingMode.UNNECESSARY);
      costUsd = costUsd.setScale(9, RoundingMode.UNNECESSARY);
    }

    static final Totals ZERO = new Totals(0, BigDecimal.ZERO.setScale(9), BigDecimal.ZERO.setScale(9));

    Totals plus(Totals o) {
      return new Totals(requests + o.requests, revenueUsd.add(o.revenueUsd), costUsd.add(o.costUsd));
    }

    public BigDecimal marginUsd() {
      return revenueUsd.subtract(costUsd);
    }

    /** SPEC 4's margin_ratio over the windows: margin / revenue, 9 decimals; null without revenue. */
    public BigDecimal marginRatio() {
      return revenueUsd.signum() == 0 ? null : marginUsd().divide(revenueUsd, 9, RoundingMode.HALF_EVEN);
    }
  }

  /** A published price change: (model, region) priced at {@code multiplier} from {@code effectiveFromMs} on. */
  public record Adjustment(String model, String region, long effectiveFromMs, BigDecimal previous, BigDecimal multiplier,
      BigDecimal realizedMarginRatio) {
    public String pair() {
      return io.marginflow.topology.pricing.MultiplierSchedule.key(model, region);
    }
  }

  /** Reads a replay's margins.jsonl and price_adjustments.jsonl. */
  public static PolicyOutcome read(BacktestPolicy policy, Path replayOut) throws IOException {
    SortedMap<String, Totals> tenants = new TreeMap<>();
    boolean any = false;
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (JsonNode m : JsonLines.read(replayOut.resolve("margins.jsonl"))) {
      if (!WINDOW.equals(m.path("window").asText())) {
        continue;
      }
      any = true;
      from = Math.min(from, m.get("window_start_ms").asLong());
      to = Math.max(to, m.get("window_end_ms").asLong());
      Totals t = new Totals(m.get("requests").asLong(), m.get("revenue_usd").decimalValue(),
          m.get("total_cost_usd").decimalValue());
      tenants.merge(m.get("tenant_id").asText(), t, Totals::plus);
    }
    if (!any && !JsonLines.read(replayOut.resolve("margins.jsonl")).isEmpty()) {
      throw new IllegalArgumentException("policy " + policy.name() + ": the backtest sums 1h windows, and its margins.windows "
          + "has no 1h window");
    }
    List<Adjustment> adjustments = new ArrayList<>();
    for (JsonNode a : JsonLines.read(replayOut.resolve("price_adjustments.jsonl"))) {
      adjustments.add(new Adjustment(a.get("model").asText(), a.get("region").asText(), a.get("effective_from_ms").asLong(),
          a.get("previous_multiplier").decimalValue(), a.get("multiplier").decimalValue(),
          a.get("realized_margin_ratio").decimalValue()));
    }
    adjustments.sort(Comparator.comparingLong(Adjustment::effectiveFromMs).thenComparing(Adjustment::pair));
    return new PolicyOutcome(policy.name(), policy.settings(), tenants, adjustments, any ? from : 0, any ? to : 0,
        Demand.FIXED);
  }

  /** Every tenant's windows together, idle capacity included: what the fleet earned. */
  public Totals total() {
    return tenants.values().stream().reduce(Totals.ZERO, Totals::plus);
  }

  public Totals tenant(String tenant) {
    return tenants.getOrDefault(tenant, Totals.ZERO);
  }

  /** The lowest multiplier in force at any time (1 before the first adjustment). */
  public BigDecimal minMultiplier() {
    return adjustments.stream().map(Adjustment::multiplier).reduce(UNADJUSTED, BigDecimal::min);
  }

  public BigDecimal maxMultiplier() {
    return adjustments.stream().map(Adjustment::multiplier).reduce(UNADJUSTED, BigDecimal::max);
  }
}
