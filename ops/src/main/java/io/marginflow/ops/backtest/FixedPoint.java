package io.marginflow.ops.backtest;

import io.marginflow.ops.replay.Replay;
import io.marginflow.topology.pricing.MultiplierSchedule;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One policy under one demand model, to a fixed point: replay the recorded demand under the policy, let demand answer
 * the multipliers it published ({@link DemandShift}), replay that, and so on until the multipliers move by at most
 * {@code tolerance} between two passes, or {@code maxPasses} replays. Fixed demand needs one pass. Pass k's files
 * (its scenario included) stay in {@code dir/pass-k/}. Pass 1 replays the recorded demand whatever the model, so a
 * policy's first pass is replayed once and read again ({@code recorded}) under every other demand model: those have
 * no pass-1 folder of their own.
 */
final class FixedPoint {
  private FixedPoint() {
  }

  static PolicyOutcome run(Path scenario, BacktestPolicy policy, DemandModel demand, Path dir, Path recorded,
      int maxPasses, BigDecimal tolerance, PrintStream progress) throws Exception {
    List<PolicyOutcome.Adjustment> answered = List.of();
    List<PolicyOutcome.Pass> passes = new ArrayList<>();
    PolicyOutcome last = null;
    for (int pass = 1; pass <= maxPasses; pass++) {
      Path passDir = demand.fixed() ? dir : dir.resolve("pass-" + pass);
      Path input = scenario;
      if (pass > 1) {
        input = passDir.resolve("scenario");
        DemandShift.Counts c = DemandShift.write(scenario, input, demand, schedule(answered), policy.settings());
        progress.printf("backtest: %s %s pass %d: %,d recorded requests -> %,d (%,d thinned, %,d copies, %,d moved)%n",
            policy.name(), demand.label(), pass, c.recorded(), c.written(), c.thinned(), c.copies(), c.moved());
      }
      if (pass == 1 && recorded != null) {
        progress.printf("backtest: %s %s pass 1: the recorded demand, replayed in %s%n", policy.name(), demand.label(),
            recorded);
        last = PolicyOutcome.read(policy, recorded);
      } else {
        Replay.run(input, passDir, policy.settings(), progress);
        last = PolicyOutcome.read(policy, passDir);
      }
      BigDecimal distance = pass == 1 ? null : distance(answered, last.adjustments());
      PolicyOutcome.Totals t = last.total();
      passes.add(new PolicyOutcome.Pass(t.requests(), t.revenueUsd(), t.marginUsd(), distance));
      // Pass 1 answered no multiplier (all 1.0): it is a fixed point when the policy published none either.
      BigDecimal moved = pass == 1 ? distance(List.of(), last.adjustments()) : distance;
      if (demand.fixed() || moved.compareTo(tolerance) <= 0) {
        return last.with(new PolicyOutcome.Demand(demand, passes, true));
      }
      answered = last.adjustments();
    }
    progress.printf("backtest: %s %s did not reach a fixed point in %d passes%n", policy.name(), demand.label(), maxPasses);
    return last.with(new PolicyOutcome.Demand(demand, passes, false));
  }

  static MultiplierSchedule schedule(List<PolicyOutcome.Adjustment> adjustments) {
    MultiplierSchedule s = new MultiplierSchedule();
    adjustments.forEach(a -> s.put(a.model(), a.region(), a.effectiveFromMs(), a.multiplier()));
    return s;
  }

  /** The largest difference between the two schedules' multipliers, over every (model, region) and time. */
  static BigDecimal distance(List<PolicyOutcome.Adjustment> a, List<PolicyOutcome.Adjustment> b) {
    MultiplierSchedule sa = schedule(a);
    MultiplierSchedule sb = schedule(b);
    TreeSet<String> pairs = new TreeSet<>();
    TreeSet<Long> times = new TreeSet<>();
    for (List<PolicyOutcome.Adjustment> list : List.of(a, b)) {
      for (PolicyOutcome.Adjustment x : list) {
        pairs.add(x.model() + "\n" + x.region());
        times.add(x.effectiveFromMs());
      }
    }
    BigDecimal max = BigDecimal.ZERO;
    for (String pair : pairs) {
      String[] mr = pair.split("\n", 2);
      for (long t : times) {
        max = max.max(sa.at(mr[0], mr[1], t).subtract(sb.at(mr[0], mr[1], t)).abs());
      }
    }
    return max;
  }
}
