package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.topology.pricing.MultiplierSchedule;
import java.math.RoundingMode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An independent calculation of SPEC 2-5 straight from a scenario's CSV files, written for the test: no
 * pipeline code, no rounding but the final one, plain maps. Shares are exact (C x w / W), so the pipeline's
 * nano-dollar shares may differ by less than one nano-dollar per bucket line.
 */
final class ReferenceMargins {
  static final long BUCKET = 60_000;
  static final long HOUR = 3_600_000;
  static final long GRACE = 300_000;
  static final MathContext MC = MathContext.DECIMAL128;
  static final BigDecimal NANO = new BigDecimal("0.000000001");

  /** Expected figures of one tenant's 1h window. */
  static final class Expected {
    long requests;
    long input;
    long cached;
    long output;
    long unpriced;
    int lines;
    BigDecimal revenue = BigDecimal.ZERO;
    BigDecimal energyCost = BigDecimal.ZERO;
    BigDecimal totalCost = BigDecimal.ZERO;
  }

  record Node(String region, BigDecimal pue, BigDecimal hardware, BigDecimal years, BigDecimal overhead,
      double tdpWatts) {
  }

  /**
   * SPEC 2 and 7: a valid row is late when its bucket's end plus grace lies behind the rows before it in its file.
   * The test scenarios keep every row either in order or far behind (more than a tick interval past the rule), so
   * the partition a row lands on cannot change the verdict.
   */
  static final class FileClock {
    private long max = Long.MIN_VALUE;

    boolean isLate(long ts) {
      boolean late = max != Long.MIN_VALUE && max > ts / BUCKET * BUCKET + BUCKET + GRACE;
      max = Math.max(max, ts);
      return late;
    }
  }

  static final class Bucket {
    BigDecimal joules = BigDecimal.ZERO;
    final Set<String> samples = new HashSet<>();
    final Map<String, BigDecimal> weightByTenant = new TreeMap<>();
    final Map<String, long[]> countsByTenant = new TreeMap<>();
    final Map<String, BigDecimal> revenueByTenant = new TreeMap<>();
    /** By model|region|tenant: the bucket's lines as the pipeline keeps them (SPEC 9's unit costs sum them by model). */
    final Map<String, BigDecimal> weightByLine = new TreeMap<>();
    final Map<String, long[]> countsByLine = new TreeMap<>();
    final Map<String, BigDecimal> revenueByLine = new TreeMap<>();
    double wattsSum;
  }

  /** Every 1h margin in {@code margins} (JSON as replay writes it) matches the reference of {@code scenario}, and none is missing. */
  static void assertMatchesWith(MultiplierSchedule multipliers, Path scenario, List<JsonNode> margins) throws IOException {
    assertMatches(scenario, margins, multipliers);
  }

  static void assertMatches(Path scenario, List<JsonNode> margins, MultiplierSchedule multipliers) throws IOException {
    Map<String, Expected> expected = computeAll(scenario, System.currentTimeMillis(), multipliers).tenantHours();
    Map<String, JsonNode> actual = new TreeMap<>();
    for (JsonNode m : margins) {
      if (m.get("window").asText().equals("1h")) {
        assertNull(actual.put(m.get("tenant_id").asText() + "|" + m.get("window_start_ms").asLong(), m), "one record per window");
      }
    }
    assertEquals(expected.keySet(), actual.keySet(), "one 1h record per tenant and hour, idle included");
    expected.forEach((key, e) -> {
      JsonNode a = actual.get(key);
      assertEquals(e.requests, a.get("requests").asLong(), key);
      assertEquals(e.input, a.get("input_tokens").asLong(), key);
      assertEquals(e.cached, a.get("cached_input_tokens").asLong(), key);
      assertEquals(e.output, a.get("output_tokens").asLong(), key);
      assertEquals(e.unpriced, a.get("unpriced_requests").asLong(), key);
      assertEquals(e.revenue.setScale(9, RoundingMode.HALF_EVEN), a.get("revenue_usd").decimalValue().setScale(9), key);
      // Each bucket line's share is within one nano-dollar of its exact value (and the bucket's C is rounded once).
      BigDecimal tolerance = NANO.multiply(BigDecimal.valueOf(2L * e.lines + 1));
      assertWithin(e.totalCost, a.get("total_cost_usd").decimalValue(), tolerance, key + " total cost");
      assertWithin(e.energyCost, a.get("energy_cost_usd").decimalValue(), tolerance, key + " energy cost");
      assertEquals(0, a.get("revenue_usd").decimalValue().subtract(a.get("total_cost_usd").decimalValue())
          .compareTo(a.get("gross_margin_usd").decimalValue()), key + " gross margin");
    });
  }

  /** Each 24h record is the sum of the same tenant's 1h records inside it (costs exactly, revenue to rounding). */
  static void assertRollingDaysAddUpTheirHours(List<JsonNode> all) {
    int days = 0;
    for (JsonNode day : all) {
      if (!day.get("window").asText().equals("24h")) {
        continue;
      }
      days++;
      long start = day.get("window_start_ms").asLong();
      List<JsonNode> hours = all.stream().filter(h -> h.get("window").asText().equals("1h")
          && h.get("tenant_id").asText().equals(day.get("tenant_id").asText())
          && h.get("window_start_ms").asLong() >= start && h.get("window_start_ms").asLong() < start + 86_400_000L).toList();
      String key = day.get("tenant_id").asText() + "|" + start;
      assertEquals(day.get("requests").asLong(), hours.stream().mapToLong(h -> h.get("requests").asLong()).sum(), key);
      assertEquals(0, day.get("total_cost_usd").decimalValue().compareTo(hours.stream()
          .map(h -> h.get("total_cost_usd").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add)), key);
      BigDecimal revenue = hours.stream().map(h -> h.get("revenue_usd").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
      ReferenceMargins.assertWithin(revenue, day.get("revenue_usd").decimalValue(), NANO.multiply(BigDecimal.valueOf(hours.size())), key);
    }
    assertTrue(days > 0, "24h windows were emitted");
  }

  /**
   * The margins of {@code records} as replay writes them, after checking that each (tenant, window, start) is there
   * exactly once: what every fault test asks of the margin topic.
   */
  static List<JsonNode> eachWindowOnce(List<org.apache.kafka.clients.consumer.ConsumerRecord<String,
      io.marginflow.avro.TenantMargin>> records) {
    List<JsonNode> margins = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (var r : records) {
      JsonNode m = io.marginflow.ops.replay.JsonLines.toJson(r.value());
      String key = m.get("tenant_id").asText() + "|" + m.get("window").asText() + "|" + m.get("window_start_ms").asLong();
      assertTrue(seen.add(key), "emitted more than once: " + key);
      margins.add(m);
    }
    return margins;
  }

  static void assertWithin(BigDecimal expected, BigDecimal actual, BigDecimal tolerance, String what) {
    assertTrue(expected.subtract(actual).abs().compareTo(tolerance) <= 0,
        what + ": expected " + expected + " got " + actual + " (tolerance " + tolerance + ")");
  }

  /** (tenant, hour start) to expected figures. */
  static Map<String, Expected> compute(Path dir, long nowMs) throws IOException {
    return computeAll(dir, nowMs).tenantHours();
  }

  /** Both views of the reference: per (tenant, hour) and, per (node, hour), {total cost, cost gone to __idle__}. */
  record Reference(Map<String, Expected> tenantHours, Map<String, BigDecimal[]> nodeHours,
      TreeMap<Long, Map<String, BigDecimal>> costByBucket, Map<String, ReferenceUnitCosts.ExpectedUnitCost> unitCosts,
      Map<String, ReferenceUnitCosts.ExpectedRegion> regions) {
  }



  static Reference computeAll(Path dir, long nowMs) throws IOException {
    return computeAll(dir, nowMs, new MultiplierSchedule());
  }

  /**
   * The multipliers the pipeline published (PriceAdjustment records, as JSON): SPEC 4's revenue is each request's
   * list revenue times the multiplier of its (model, region) in force at its timestamp.
   */
  static MultiplierSchedule multipliers(List<JsonNode> adjustments) {
    MultiplierSchedule m = new MultiplierSchedule();
    for (JsonNode a : adjustments) {
      m.put(a.get("model").asText(), a.get("region").asText(), a.get("effective_from_ms").asLong(),
          a.get("multiplier").decimalValue());
    }
    return m;
  }

  /** The same, read from the pipeline's adjustments topic of {@code kafka} (read_committed). */
  static MultiplierSchedule multipliers(KafkaStack kafka) {
    io.marginflow.topology.serde.MarginflowSerdes serdes =
        new io.marginflow.topology.serde.MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    return multipliers(Records.readToEnd(kafka.consumerConfig("reference-multipliers"),
        io.marginflow.topology.config.Topics.defaults().pricing(), java.time.Duration.ofSeconds(10),
        new org.apache.kafka.common.serialization.StringDeserializer(),
        serdes.value(io.marginflow.avro.PriceAdjustment.class).deserializer()).stream()
        .map(r -> (JsonNode) io.marginflow.schemas.AvroJson.toJson(r.value())).toList());
  }

  static Reference computeAll(Path dir, long nowMs, MultiplierSchedule multipliers) throws IOException {
    Map<String, Node> nodes = new HashMap<>();
    for (String[] f : rows(dir.resolve("nodes.csv"))) {
      nodes.put(f[0], new Node(f[1], new BigDecimal(f[7]), new BigDecimal(f[5]), new BigDecimal(f[6]), new BigDecimal(f[8]),
          Double.parseDouble(f[4])));
    }
    Map<String, TreeMap<Long, BigDecimal>> energy = new HashMap<>();
    for (String[] f : rows(dir.resolve("energy_prices.csv"))) {
      energy.computeIfAbsent(f[0], r -> new TreeMap<>()).put(Long.parseLong(f[1]), new BigDecimal(f[2]));
    }
    Map<String, Bucket> buckets = new TreeMap<>();
    addUsage(dir, buckets, nowMs, multipliers);
    addPower(dir, buckets, nowMs);
    Map<String, Expected> out = new TreeMap<>();
    Map<String, BigDecimal[]> nodeHours = new TreeMap<>();
    TreeMap<Long, Map<String, BigDecimal>> costByBucket = new TreeMap<>();
    Map<String, ReferenceUnitCosts.ExpectedUnitCost> unitCosts = new TreeMap<>();
    Map<String, ReferenceUnitCosts.ExpectedRegion> regions = new TreeMap<>();
    buckets.forEach((key, b) -> {
      attribute(key, b, nodes, energy, out, nodeHours, costByBucket);
      ReferenceUnitCosts.add(key, b, nodes, energy, unitCosts, regions);
    });
    return new Reference(out, nodeHours, costByBucket, unitCosts, regions);
  }

  /** An accepted request (valid, on time, first of its id): what every figure counts; revenue null when unpriced. */
  record Request(String eventId, long ts, String tenant, String model, String node, long in, long cached, long out,
      BigDecimal revenue, String region) {
  }

  /** The usage rows the pipeline accepts, in file order, with their revenue at the price book's list prices. */
  static List<Request> accepted(Path dir, long nowMs) throws IOException {
    Map<String, BigDecimal[]> prices = new HashMap<>();
    for (String[] f : rows(dir.resolve("pricebook.csv"))) {
      prices.put(f[0], new BigDecimal[] {new BigDecimal(f[1]), new BigDecimal(f[2]), new BigDecimal(f[3])});
    }
    List<Request> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    FileClock clock = new FileClock();
    for (String[] f : rows(dir.resolve("usage.csv"))) {
      long ts;
      long in;
      long cached;
      long outTokens;
      try {
        ts = Long.parseLong(f[1]);
        in = Long.parseLong(f[6]);
        cached = Long.parseLong(f[7]);
        outTokens = Long.parseLong(f[8]);
      } catch (RuntimeException e) {
        continue;
      }
      if (!valid(f, ts, in, cached, outTokens, nowMs) || clock.isLate(ts) || !seen.add(f[0])) {
        continue;
      }
      BigDecimal[] p = prices.get(f[3]);
      BigDecimal revenue = p == null ? null : BigDecimal.valueOf(in - cached).multiply(p[0])
          .add(BigDecimal.valueOf(cached).multiply(p[1])).add(BigDecimal.valueOf(outTokens).multiply(p[2]))
          .divide(BigDecimal.valueOf(1_000_000));
      out.add(new Request(f[0], ts, f[2], f[3], f[5], in, cached, outTokens, revenue, f[4]));
    }
    return out;
  }

  /** SPEC 2's rules for a parsed usage row. */
  private static boolean valid(String[] f, long ts, long in, long cached, long out, long nowMs) {
    return ReferenceIds.all(f[0], f[2], f[3], f[4], f[5]) && in >= 0 && cached >= 0
        && ReferenceIds.withinTokenBound(in, cached, out)
        && out >= 0 && cached <= in && ts > 946_684_800_000L && ts <= nowMs;
  }

  private static void addUsage(Path dir, Map<String, Bucket> buckets, long nowMs, MultiplierSchedule multipliers)
      throws IOException {
    for (Request listed : accepted(dir, nowMs)) {
      Request r = listed.revenue() == null ? listed : new Request(listed.eventId(), listed.ts(), listed.tenant(),
          listed.model(), listed.node(), listed.in(), listed.cached(), listed.out(),
          listed.revenue().multiply(multipliers.at(listed.model(), listed.region(), listed.ts())), listed.region());
      Bucket b = buckets.computeIfAbsent(r.node() + "|" + (r.ts() / BUCKET * BUCKET), k -> new Bucket());
      BigDecimal w = BigDecimal.valueOf(r.in() - r.cached()).add(new BigDecimal("0.1").multiply(BigDecimal.valueOf(r.cached())))
          .add(BigDecimal.valueOf(4 * r.out()));
      b.weightByTenant.merge(r.tenant(), w, BigDecimal::add);
      String line = r.model() + "|" + r.region() + "|" + r.tenant();
      b.weightByLine.merge(line, w, BigDecimal::add);
      long[] l = b.countsByLine.computeIfAbsent(line, k -> new long[3]);
      l[0]++;
      l[1] += r.out();
      l[2] += r.in() + r.out();
      if (r.revenue() != null) {
        b.revenueByLine.merge(line, r.revenue(), BigDecimal::add);
      }
      long[] c = b.countsByTenant.computeIfAbsent(r.tenant(), k -> new long[5]);
      c[0]++;
      c[1] += r.in();
      c[2] += r.cached();
      c[3] += r.out();
      if (r.revenue() == null) {
        c[4]++;
      } else {
        b.revenueByTenant.merge(r.tenant(), r.revenue(), BigDecimal::add);
      }
    }
  }

  private static void addPower(Path dir, Map<String, Bucket> buckets, long nowMs) throws IOException {
    FileClock clock = new FileClock();
    for (String[] f : rows(dir.resolve("power.csv"))) {
      try {
        long ts = Long.parseLong(f[0]);
        long interval = Long.parseLong(f[3]);
        BigDecimal watts = new BigDecimal(f[4]);
        if (!ReferenceIds.all(f[1], f[2]) || watts.signum() < 0 || watts.compareTo(BigDecimal.valueOf(10_000)) > 0
            || interval <= 0 || interval > HOUR || ts <= 946_684_800_000L || ts > nowMs || clock.isLate(ts)) {
          continue;
        }
        Bucket b = buckets.computeIfAbsent(f[1] + "|" + (ts / BUCKET * BUCKET), k -> new Bucket());
        if (b.samples.add(f[2] + "|" + ts)) {
          b.wattsSum += Double.parseDouble(f[4]);
          b.joules = b.joules.add(watts.multiply(BigDecimal.valueOf(interval)).divide(BigDecimal.valueOf(1000)));
        }
      } catch (RuntimeException e) {
        // unparseable row: dead-lettered, no part in any figure
      }
    }
  }

  private static void attribute(String key, Bucket b, Map<String, Node> nodes, Map<String, TreeMap<Long, BigDecimal>> energy,
      Map<String, Expected> out, Map<String, BigDecimal[]> nodeHours, TreeMap<Long, Map<String, BigDecimal>> costByBucket) {
    String nodeId = key.substring(0, key.indexOf('|'));
    long start = Long.parseLong(key.substring(key.indexOf('|') + 1));
    Node n = nodes.getOrDefault(nodeId, new Node("default", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ZERO, 0));
    BigDecimal[] cost = cost(b, n, energy, start);
    BigDecimal energyCost = cost[1];
    BigDecimal total = cost[2];
    BigDecimal weight = b.weightByTenant.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    String hour = Long.toString(start / HOUR * HOUR);
    BigDecimal[] nodeHour = nodeHours.computeIfAbsent(nodeId + "|" + hour, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
    nodeHour[0] = nodeHour[0].add(total);
    if (weight.signum() == 0) {
      nodeHour[1] = nodeHour[1].add(total);
    }
    List<String> tenants = new ArrayList<>(b.countsByTenant.keySet());
    for (String t : tenants) {
      Expected e = out.computeIfAbsent(t + "|" + hour, k -> new Expected());
      long[] c = b.countsByTenant.get(t);
      e.requests += c[0];
      e.input += c[1];
      e.cached += c[2];
      e.output += c[3];
      e.unpriced += c[4];
      e.lines++;
      e.revenue = e.revenue.add(b.revenueByTenant.getOrDefault(t, BigDecimal.ZERO));
      if (weight.signum() > 0) {
        BigDecimal share = b.weightByTenant.get(t).divide(weight, MC);
        e.totalCost = e.totalCost.add(total.multiply(share));
        costByBucket.computeIfAbsent(start, k -> new TreeMap<>()).merge(t, total.multiply(share), BigDecimal::add);
        e.energyCost = e.energyCost.add(energyCost.multiply(share));
      }
    }
    if (weight.signum() == 0) {
      Expected idle = out.computeIfAbsent("__idle__|" + hour, k -> new Expected());
      idle.lines++;
      idle.totalCost = idle.totalCost.add(total);
      idle.energyCost = idle.energyCost.add(energyCost);
    }
  }

  /** A node bucket's facility kWh, energy cost and total cost (energy plus fixed), exact (SPEC 3). */
  static BigDecimal[] cost(Bucket b, Node n, Map<String, TreeMap<Long, BigDecimal>> energy, long start) {
    var priceEntry = energy.getOrDefault(n.region(), new TreeMap<>()).floorEntry(start);
    BigDecimal usdPerKwh = priceEntry == null ? new BigDecimal("0.10") : priceEntry.getValue();
    BigDecimal kwh = b.joules.multiply(n.pue()).divide(BigDecimal.valueOf(3_600_000), MC);
    BigDecimal energyCost = kwh.multiply(usdPerKwh);
    BigDecimal fixed = n.hardware().divide(n.years().multiply(BigDecimal.valueOf(8766)), MC).add(n.overhead())
        .multiply(BigDecimal.valueOf(BUCKET)).divide(BigDecimal.valueOf(HOUR), MC);
    return new BigDecimal[] {kwh, energyCost, energyCost.add(fixed)};
  }

  static List<String[]> rows(Path file) throws IOException {
    List<String[]> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      if (f.length >= 3) {
        out.add(f);
      }
    }
    return out;
  }
}
