package io.marginflow.ops.backtest;

import io.marginflow.ops.scenario.Csv;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.pricing.MultiplierSchedule;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the scenario a {@link DemandModel} makes of a recorded one under a schedule of multipliers: every file as it
 * is but usage.csv and power.csv. The requests are thinned, copied (right after the original: same time, tenant, model and node)
 * or moved to the cheapest other region (and to one of its nodes, by hash); the GPUs draw the power the work served
 * calls for ({@link PowerShift}). A line without a valid time or event_id passes as it is: the pipeline dead-letters
 * it as it would have.
 */
final class DemandShift {
  private static final List<String> USAGE_COLUMNS = List.of("event_id", "timestamp_ms", "model", "region", "node_id");
  /** SPEC 2's token rules without a size bound (the pipeline's bound refuses a copy as it refuses the original). */
  private static final Validation TOKENS = new Validation(0, Long.MAX_VALUE);

  /** What the shift did to the recorded requests. */
  record Counts(long recorded, long written, long thinned, long copies, long moved) {
  }

  private final DemandModel model;
  private final MultiplierSchedule schedule;
  private final PowerShift power;
  /** Region and GPU TDP of each node (nodes.csv). */
  private final Map<String, String[]> nodeInfo = new TreeMap<>();
  /** The nodes of each region (nodes.csv), sorted: where moved requests go. */
  private final TreeMap<String, List<String>> nodes = new TreeMap<>();
  private long recorded;
  private long written;
  private long thinned;
  private long copies;
  private long moved;

  private DemandShift(DemandModel model, MultiplierSchedule schedule, Map<String, String> settings) {
    this.model = model;
    this.schedule = schedule;
    this.power = new PowerShift(settings);
  }

  /**
   * Writes {@code scenario} as {@code model} answers {@code schedule} into {@code out}, power drawn by the work served
   * ({@link PowerShift}, with the bucket and weights of {@code settings}).
   */
  static Counts write(Path scenario, Path out, DemandModel model, MultiplierSchedule schedule, Map<String, String> settings)
      throws IOException {
    DemandShift shift = new DemandShift(model, schedule, settings);
    for (Csv.Line n : Csv.read(scenario.resolve(Scenario.NODES), List.of("node_id", "region", "gpu_tdp_watts"))) {
      shift.nodes.computeIfAbsent(n.get("region"), r -> new ArrayList<>()).add(n.get("node_id"));
      shift.nodeInfo.put(n.get("node_id"), new String[] {n.get("region"), n.get("gpu_tdp_watts")});
    }
    shift.nodes.values().forEach(l -> l.sort(null));
    Files.createDirectories(out);
    try (Stream<Path> files = Files.list(scenario)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (!name.equals(Scenario.USAGE) && !name.equals(Scenario.POWER)) {
          Files.copy(f, out.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    if (Files.exists(scenario.resolve(Scenario.USAGE))) {
      CsvRewrite.rewrite(scenario.resolve(Scenario.USAGE), out.resolve(Scenario.USAGE), USAGE_COLUMNS, shift::shift);
    }
    if (Files.exists(scenario.resolve(Scenario.POWER))) {
      shift.power.write(scenario.resolve(Scenario.POWER), out.resolve(Scenario.POWER), shift.nodeInfo);
    }
    return new Counts(shift.recorded, shift.written, shift.thinned, shift.copies, shift.moved);
  }

  /** The lines one recorded line becomes. */
  private List<String> shift(Csv.Line l) {
    long ts;
    String id = l.get("event_id");
    try {
      ts = Long.parseLong(l.get("timestamp_ms"));
    } catch (NumberFormatException e) {
      return List.of(l.text());
    }
    if (!acceptable(l, id)) {
      return List.of(l.text()); // refused either way: thinned, copied or moved it could become accepted
    }
    recorded++;
    power.recorded(l, ts);
    String modelName = l.get("model");
    String region = l.get("region");
    BigDecimal m = schedule.at(modelName, region, ts);
    String[] fields = l.fields().clone();
    Map.Entry<String, BigDecimal> cheapest = cheapestOther(modelName, region, ts);
    if (cheapest != null && nodes.containsKey(region)
        && DemandModel.uniform(id, "move") < model.moveShare(m, cheapest.getValue())) {
      List<String> there = nodes.get(cheapest.getKey());
      fields[l.columns().get("region")] = cheapest.getKey();
      fields[l.columns().get("node_id")] = there.get((int) (DemandModel.uniform(id, "node") * there.size()));
      m = cheapest.getValue();
      moved++;
    }
    int n = DemandModel.copies(model.scale(modelName, m), DemandModel.uniform(id, "demand"));
    List<String> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      if (k > 0) {
        fields[l.columns().get("event_id")] = DemandModel.copyId(id, k);
      }
      out.add(String.join(",", fields));
      power.served(l, fields[l.columns().get("node_id")], ts);
    }
    thinned += n == 0 ? 1 : 0;
    copies += Math.max(0, n - 1);
    written += n;
    return out;
  }

  /**
   * Whether the pipeline could accept the line (SPEC 2's identifier and token rules; the rest it checks the same way
   * for a copy as for its original): only such lines are thinned, copied or moved.
   */
  private static boolean acceptable(Csv.Line l, String id) {
    if (l.fields().length < l.columns().size() || !Ids.valid(id)) {
      return false;
    }
    for (String c : List.of("tenant_id", "model", "region", "node_id")) {
      if (!Ids.valid(l.get(c))) {
        return false;
      }
    }
    try {
      return TOKENS.tokens(Long.parseLong(l.get("input_tokens")), Long.parseLong(l.get("cached_input_tokens")),
          Long.parseLong(l.get("output_tokens"))).isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The cheapest region other than {@code region} with nodes, for {@code model} at {@code ts}; ties: the first. */
  private Map.Entry<String, BigDecimal> cheapestOther(String modelName, String region, long ts) {
    Map.Entry<String, BigDecimal> best = null;
    for (String other : nodes.keySet()) {
      BigDecimal m = schedule.at(modelName, other, ts);
      if (!other.equals(region) && (best == null || m.compareTo(best.getValue()) < 0)) {
        best = Map.entry(other, m);
      }
    }
    return best;
  }
}
