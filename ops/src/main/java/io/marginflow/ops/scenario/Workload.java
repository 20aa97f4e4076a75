package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** The synthetic (or trace-driven) request stream: who asks what, when, on which node. */
final class Workload {
  private static final double ZIPF_S = 1.1;
  private final GeneratorOptions o;
  private final Random rng;
  private final double[] tenantCdf;
  private final int[] tenantRegion;
  private final double[] tenantCachedShare;
  private final int[] tenantModel;

  record Request(String eventId, long timestampMs, int tenant, int model, int node, long inputTokens, long cachedTokens,
      long outputTokens) {
    double listRevenueUsd() {
      String[] m = ScenarioGenerator.MODELS[model];
      if (m[1] == null) {
        return 0;
      }
      return ((inputTokens - cachedTokens) * Double.parseDouble(m[1]) + cachedTokens * Double.parseDouble(m[2])
          + outputTokens * Double.parseDouble(m[3])) / 1e6;
    }
  }

  Workload(GeneratorOptions o, Random rng) {
    this.o = o;
    this.rng = rng;
    this.tenantCdf = new double[o.tenants()];
    this.tenantRegion = new int[o.tenants()];
    this.tenantCachedShare = new double[o.tenants()];
    this.tenantModel = new int[o.tenants()];
    this.idPrefix = "ev-" + o.seed();
    double sum = 0;
    for (int t = 0; t < o.tenants(); t++) {
      sum += 1 / Math.pow(t + 1, ZIPF_S);
      tenantCdf[t] = sum;
      tenantRegion[t] = rng.nextInt(ScenarioGenerator.REGIONS.length);
      tenantCachedShare[t] = rng.nextInt(4) == 0 ? 0 : rng.nextDouble() * 0.6;
      tenantModel[t] = pickModel();
    }
    for (int t = 0; t < o.tenants(); t++) {
      tenantCdf[t] /= sum;
    }
  }

  static String tenant(int t) {
    return String.format(Locale.ROOT, "tenant-%03d", t + 1);
  }

  static String node(int n) {
    return String.format(Locale.ROOT, "node-%02d", n + 1);
  }

  static String regionOf(int node) {
    return ScenarioGenerator.REGIONS[node % ScenarioGenerator.REGIONS.length];
  }

  private long nextId;
  private String idPrefix;

  List<Request> requests() {
    long start = o.start().toEpochMilli();
    return o.trace() != null ? toRequests(traceArrivals()) : slice(start, start + o.hours() * 3_600_000L);
  }

  /** Event ids of this workload start with {@code prefix} (live runs use a fresh one, so restarts never collide). */
  void idPrefix(String prefix) {
    this.idPrefix = prefix;
  }

  /** Synthetic requests arriving in [fromMs, toMs), for live load. */
  List<Request> slice(long fromMs, long toMs) {
    return toRequests(poissonArrivals(fromMs, toMs));
  }

  private List<Request> toRequests(List<long[]> arrivals) {
    List<Request> out = new ArrayList<>(arrivals.size());
    for (long[] a : arrivals) {
      int t = pickTenant();
      int model = rng.nextInt(10) < 7 ? tenantModel[t] : pickModel();
      if (rng.nextInt(200) == 0) {
        model = ScenarioGenerator.MODELS.length - 1;
      }
      long input = a[1] > 0 ? a[1] : logNormal(900, 1.0, 32_000);
      long output = a[2] > 0 ? a[2] : logNormal(250, 0.8, 4_096);
      long cached = o.trace() != null ? 0 : Math.round(input * tenantCachedShare[t]);
      out.add(new Request(String.format(Locale.ROOT, "%s-%08x", idPrefix, nextId++), a[0], t, model, pickNode(t),
          input, cached, output));
    }
    out.sort(Comparator.comparingLong(Request::timestampMs));
    return out;
  }

  private List<long[]> poissonArrivals(long from, long end) {
    List<long[]> out = new ArrayList<>();
    long start = o.start().toEpochMilli();
    double t = from;
    while (true) {
      double rate = o.requestsPerSecond() * (1 + 0.3 * Math.sin(2 * Math.PI * (t - start) / 86_400_000.0));
      t += -Math.log(1 - rng.nextDouble()) / rate * 1000;
      if (t >= end) {
        return out;
      }
      out.add(new long[] {(long) t, 0, 0});
    }
  }

  private List<long[]> traceArrivals() {
    try {
      List<TraceRequests.Request> trace = TraceRequests.read(o.trace());
      long span = trace.isEmpty() ? 1 : trace.get(trace.size() - 1).offsetMs() + 1;
      List<long[]> out = new ArrayList<>();
      long start = o.start().toEpochMilli();
      for (long shift = 0; shift < o.hours() * 3_600_000L; shift += span) {
        for (TraceRequests.Request r : trace) {
          long ts = start + shift + r.offsetMs();
          if (ts < start + o.hours() * 3_600_000L) {
            out.add(new long[] {ts, Math.max(1, r.contextTokens()), Math.max(1, r.generatedTokens())});
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A priced model, by the fleet's mix. */
  private int pickModel() {
    double u = rng.nextDouble();
    double[] mix = ScenarioGenerator.MODEL_MIX;
    for (int m = 0; m < mix.length - 1; m++) {
      u -= mix[m];
      if (u < 0) {
        return m;
      }
    }
    return mix.length - 1;
  }

  private int pickTenant() {
    int i = Arrays.binarySearch(tenantCdf, rng.nextDouble());
    return Math.min(o.tenants() - 1, i >= 0 ? i : -i - 1);
  }

  /** A node of the tenant's region, never the last node: that one is the zombie that serves nothing. */
  private int pickNode(int tenant) {
    int serving = Math.max(1, o.nodes() - 1);
    List<Integer> candidates = new ArrayList<>();
    for (int n = 0; n < serving; n++) {
      if (n % ScenarioGenerator.REGIONS.length == tenantRegion[tenant]) {
        candidates.add(n);
      }
    }
    return candidates.isEmpty() ? rng.nextInt(serving) : candidates.get(rng.nextInt(candidates.size()));
  }

  private long logNormal(double median, double sigma, long max) {
    return Math.max(1, Math.min(max, Math.round(median * Math.exp(sigma * rng.nextGaussian()))));
  }

  /** Weighted tokens of each node's requests (the load that drives its power). */
  double[] loadOf(List<Request> requests) {
    double[] load = new double[o.nodes()];
    for (Request r : requests) {
      load[r.node()] += r.inputTokens() - r.cachedTokens() + 0.1 * r.cachedTokens() + 4.0 * r.outputTokens();
    }
    return load;
  }

  /** Weighted tokens per node per 15 s sample interval. */
  double[][] nodeLoad(List<Request> requests) {
    int samples = (int) (o.hours() * 3_600_000L / ScenarioGenerator.SAMPLE_MS);
    double[][] load = new double[o.nodes()][samples];
    long start = o.start().toEpochMilli();
    for (Request r : requests) {
      int s = (int) ((r.timestampMs() - start) / ScenarioGenerator.SAMPLE_MS);
      if (s >= 0 && s < samples) {
        load[r.node()][s] += r.inputTokens() - r.cachedTokens() + 0.1 * r.cachedTokens() + 4.0 * r.outputTokens();
      }
    }
    return load;
  }


}
