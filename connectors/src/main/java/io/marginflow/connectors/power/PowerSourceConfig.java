package io.marginflow.connectors.power;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the GPU power source: which exporters to scrape, how their metrics are named, where samples go. The
 * endpoints' bearer token is a {@link Password}: Kafka Connect masks it in its REST API and logs.
 */
public final class PowerSourceConfig extends AbstractConfig {
  public static final String ENDPOINTS = "endpoints";
  public static final String FORMAT = "exporter";
  public static final String TOPIC = "topic";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String INTERVAL = "interval.ms";
  public static final String TIMEOUT = "scrape.timeout.ms";
  public static final String BACKOFF_MAX = "retry.backoff.max.ms";
  public static final String TOKEN = "endpoint.bearer.token";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String ENERGY_METRIC = "metric.energy";
  public static final String ENERGY_UNIT = "metric.energy.joules.per.unit";
  public static final String POWER_METRIC = "metric.power";
  public static final String UTIL_METRIC = "metric.utilization";
  public static final String UTIL_UNIT = "metric.utilization.per.unit";
  public static final String GPU_LABEL = "label.gpu";
  public static final String NODE_LABEL = "label.node";
  public static final String MIG_LABEL = "label.mig";
  public static final String EMPTY_SCRAPES_MAX = "empty.scrapes.max";

  static final ConfigDef DEF = new ConfigDef()
      .define(ENDPOINTS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "Exporter URLs to scrape, comma-separated: url (the node is read from label.node) or node=url (the node is "
              + "that id: one endpoint per node, as DCGM exporter runs as a DaemonSet).")
      .define(FORMAT, Type.STRING, "dcgm", ConfigDef.CaseInsensitiveValidString.in("dcgm", "kepler"), Importance.HIGH,
          "Metric names and labels preset: dcgm (NVIDIA DCGM exporter) or kepler. Each can be overridden below.")
      .define(TOPIC, Type.STRING, "telemetry.power.v1", Importance.HIGH, "Topic of PowerSample records (SPEC 1).")
      .define(TOPIC_PARTITIONS, Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1), Importance.HIGH,
          "Partitions of the topic: every scrape ticks each of them (SPEC 1), so quiet partitions still close buckets.")
      .define(INTERVAL, Type.LONG, 15_000L, ConfigDef.Range.between(1_000L, 3_600_000L), Importance.MEDIUM,
          "Scrape interval: each GPU gets one PowerSample per interval.")
      .define(TIMEOUT, Type.LONG, 5_000L, ConfigDef.Range.atLeast(100L), Importance.LOW, "HTTP timeout of a scrape, at "
          + "most 90 % of " + INTERVAL + " (every endpoint of a task is scraped at once, each with this timeout).")
      .define(EMPTY_SCRAPES_MAX, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.LOW, "Fail the task when an "
          + "endpoint answers this many scrapes in a row without a GPU reading (wrong metric or label names); 0: only "
          + "warn and count (empty-scrapes-total).")
      .define(BACKOFF_MAX, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1_000L), Importance.LOW,
          "An unreachable endpoint is retried after 1, 2, 4... intervals, at most this long apart.")
      .define(TOKEN, Type.PASSWORD, "", Importance.LOW, "Bearer token sent to the endpoints, if set.")
      .define(REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "Schema registry: values are written in the Confluent wire format (use ByteArrayConverter for values).")
      .define(ENERGY_METRIC, Type.STRING, null, Importance.LOW, "Energy counter (preset: DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"
          + " / kepler_node_gpu_joules_total). Empty: none.")
      .define(ENERGY_UNIT, Type.DOUBLE, null, Importance.LOW, "Joules per unit of the counter (preset: 0.001 / 1).")
      .define(POWER_METRIC, Type.STRING, null, Importance.LOW, "Power gauge in watts (preset: DCGM_FI_DEV_POWER_USAGE / "
          + "kepler_node_gpu_watts). Empty: none.")
      .define(UTIL_METRIC, Type.STRING, null, Importance.LOW, "Utilization gauge (preset: DCGM_FI_DEV_GPU_UTIL / none).")
      .define(UTIL_UNIT, Type.DOUBLE, null, Importance.LOW, "Utilization fraction per unit (preset: 0.01, percent).")
      .define(GPU_LABEL, Type.STRING, null, Importance.LOW, "Label with the GPU index (preset: gpu / gpu|package|index); "
          + "spellings separated by |, the first a series carries is read.")
      .define(NODE_LABEL, Type.STRING, null, Importance.LOW, "Label with the node id (preset: Hostname|hostname / "
          + "node_name|instance).")
      .define(MIG_LABEL, Type.STRING, null, Importance.LOW, "Label of a MIG instance's series (preset: GPU_I_ID|gpu_i_id / "
          + "none).");

  /** One exporter: its URL and the node it speaks for (null: read from the node label). */
  public record Endpoint(String node, URI url) {
    @Override
    public String toString() {
      return (node == null ? "" : node + "=") + url;
    }
  }

  public PowerSourceConfig(Map<?, ?> props) {
    super(DEF, props);
    endpoints();
    metrics();
  }

  /** The HTTP timeout of one scrape: scrape.timeout.ms, at most 90 % of the interval (a scrape ends before the next). */
  public long scrapeTimeoutMs() {
    return Math.min(getLong(TIMEOUT), getLong(INTERVAL) * 9 / 10);
  }

  public List<Endpoint> endpoints() {
    List<Endpoint> out = new ArrayList<>();
    for (String entry : getList(ENDPOINTS)) {
      out.add(endpoint(entry.trim()));
    }
    if (out.isEmpty()) {
      throw new ConfigException(ENDPOINTS, "", "at least one exporter URL is needed");
    }
    return out;
  }

  static Endpoint endpoint(String entry) {
    int eq = entry.indexOf('=');
    int scheme = entry.indexOf("://");
    String node = eq > 0 && (scheme < 0 || eq < scheme) ? entry.substring(0, eq).trim() : null;
    String url = node == null ? entry : entry.substring(eq + 1).trim();
    if (node != null && !io.marginflow.schemas.Ids.valid(node)) {
      throw new ConfigException(ENDPOINTS, entry, "the node id " + io.marginflow.schemas.Ids.problem(node).orElse("")
          + " (SPEC 2: 1 to 128 characters, no control or format characters, no white space at either end)");
    }
    try {
      URI u = URI.create(url);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("not http(s)");
      }
      return new Endpoint(node, u);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ENDPOINTS, entry, "expected url or node=url with an http(s) URL");
    }
  }

  /** The preset of {@code exporter}, with every name set here in its place. */
  public GpuMetrics metrics() {
    GpuMetrics p = getString(FORMAT).toLowerCase(Locale.ROOT).equals("kepler") ? GpuMetrics.kepler() : GpuMetrics.dcgm();
    GpuMetrics m = new GpuMetrics(name(ENERGY_METRIC, p.energyMetric()), number(ENERGY_UNIT, p.joulesPerUnit()),
        name(POWER_METRIC, p.powerMetric()), name(UTIL_METRIC, p.utilizationMetric()), number(UTIL_UNIT, p.utilizationPerUnit()),
        name(GPU_LABEL, p.gpuLabel()), name(NODE_LABEL, p.nodeLabel()), name(MIG_LABEL, p.migLabel()), p.summedLabel());
    if (m.energyMetric() == null && m.powerMetric() == null) {
      throw new ConfigException(POWER_METRIC, "", "neither an energy counter nor a power gauge is configured");
    }
    if (m.gpuLabel() == null) {
      throw new ConfigException(GPU_LABEL, "", "required");
    }
    return m;
  }

  public String bearerToken() {
    Password p = getPassword(TOKEN);
    return p == null || p.value().isBlank() ? null : p.value();
  }

  private String name(String key, String preset) {
    String v = getString(key);
    return v == null ? preset : v.isBlank() ? null : v.trim();
  }

  private double number(String key, double preset) {
    Double v = getDouble(key);
    if (v != null && !(v > 0)) {
      throw new ConfigException(key, v, "must be > 0");
    }
    return v == null ? preset : v;
  }
}
