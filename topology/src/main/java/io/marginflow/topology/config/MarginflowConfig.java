package io.marginflow.topology.config;

import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.TopicDeclaration;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * marginflow's settings, with a schema: every key has a doc, a default and a validator. Sources, later ones
 * winning: defaults, a properties file, {@code MARGINFLOW_*} environment variables (key upper-cased, dots and
 * dashes as underscores), command-line overrides. Unknown keys fail start-up, except the pass-through prefixes
 * {@code kafka.} (any Kafka Streams or client setting, e.g. kafka.security.protocol) and the registry client's
 * {@code schema.registry.}, {@code basic.auth.}, {@code bearer.auth.}.
 */
public final class MarginflowConfig extends AbstractConfig {
  public static final String APPLICATION_ID = "application.id";
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String STATE_DIR = "state.dir";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String NUM_STREAM_THREADS = "num.stream.threads";
  public static final String NUM_STANDBY_REPLICAS = "num.standby.replicas";
  public static final String INSTANCE_ID = "instance.id";
  public static final String COMMIT_INTERVAL = "commit.interval";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_HOST = "http.host";
  public static final String HTTP_BIND = "http.bind";
  public static final String HTTP_TOKENS = "http.tokens";
  public static final String MAX_FUTURE_SKEW = "ingest.max-future-skew";
  public static final String MAX_TOKENS = "ingest.max-tokens-per-request";
  public static final String DEDUP_HORIZON = "dedup.horizon";
  public static final String BUCKET = "attribution.bucket";
  public static final String GRACE = "attribution.grace";
  public static final String WEIGHT_INPUT = "attribution.weight.input";
  public static final String WEIGHT_CACHED = "attribution.weight.cached";
  public static final String WEIGHT_OUTPUT = "attribution.weight.output";
  public static final String DEFAULT_ENERGY_PRICE = "energy.default-usd-per-kwh";
  public static final String MARGIN_WINDOWS = "margins.windows";
  public static final String MARGIN_RETENTION = "margins.retention";
  public static final String MARGIN_TOPIC_RETENTION = "margins.topic-retention";
  public static final String WATERMARK_INTERVAL = "watermark.interval";
  public static final String IDLE_TIMEOUT = "watermark.idle-timeout";
  public static final String STALL_WARNING = "watermark.stall-warning";
  public static final String ZOMBIE_IDLE_SHARE = "alerts.zombie.idle-share";
  public static final String ZOMBIE_WINDOW = "alerts.zombie.window";
  public static final String PRICING_ENABLED = "pricing.dynamic.enabled";
  public static final String PRICING_INTERVAL = "pricing.interval";
  public static final String PRICING_TARGET = "pricing.target-margin";
  public static final String PRICING_FLOOR = "pricing.floor";
  public static final String PRICING_CEILING = "pricing.ceiling";
  public static final String PRICING_MAX_STEP = "pricing.max-step";
  public static final String PRICING_DEADBAND = "pricing.deadband";
  public static final String TOPIC_PREFIX = "topic.";

  static final List<String> PASS_THROUGH = List.of("kafka.", "schema.registry.", "basic.auth.", "bearer.auth.");
  /** Settings of earlier releases that no longer exist, with what to do instead (refused, never ignored). */
  static final Map<String, String> RETIRED = Map.of("attribution.split", "removed: the two-level split (SPEC 3) is the "
      + "only one; a deployment that ran attribution.split=node upgrades as docs/RUNBOOK.md 'Upgrading from the node "
      + "split' says");
  private static final ConfigDef DEF = definition();

  private MarginflowConfig(Map<String, ?> values) {
    super(DEF, values, false);
  }

  private static ConfigDef definition() {
    ConfigDef d = new ConfigDef()
        .define(APPLICATION_ID, Type.STRING, "marginflow", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Kafka Streams application id: consumer group and prefix of internal topics.")
        .define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Kafka bootstrap servers.")
        .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Confluent-compatible schema registry URL(s), comma-separated; mock://scope for an in-memory registry.")
        .define(STATE_DIR, Type.STRING, "state/streams", Importance.HIGH, "Folder for RocksDB state (a persistent volume).")
        .define(PROCESSING_GUARANTEE, Type.STRING, "exactly_once_v2", ConfigDef.ValidString.in("exactly_once_v2", "at_least_once"),
            Importance.HIGH, "exactly_once_v2 (default: every figure emitted once) or at_least_once.")
        .define(NUM_STREAM_THREADS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.MEDIUM, "Stream threads per instance.")
        .define(NUM_STANDBY_REPLICAS, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "Standby replicas of each state store, for fast fail-over.")
        .define(INSTANCE_ID, Type.STRING, "auto", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Static group membership (group.instance.id): a restarted instance takes its partitions back at once instead "
                + "of after the session timeout. 'auto' (default): derived from the host name and the absolute state.dir, so "
                + "stable across restarts of one instance and distinct for instances on one host (they cannot share a "
                + "state.dir); an explicit id (e.g. the pod name), unique per instance; 'none': dynamic membership.")
        .define(COMMIT_INTERVAL, Type.STRING, "100ms", duration(), Importance.MEDIUM,
            "How often results are committed; sets end-to-end latency under exactly-once.")
        .define(HTTP_PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.MEDIUM, "Query API port (0: any free port).")
        .define(HTTP_HOST, Type.STRING, "localhost", Importance.MEDIUM,
            "Host name other instances use to reach this one's query API (application.server).")
        .define(HTTP_BIND, Type.STRING, "0.0.0.0", Importance.LOW, "Address the query API listens on.")
        .define(HTTP_TOKENS, Type.PASSWORD, "", Importance.HIGH,
            "Bearer tokens of the query API: token=admin or token=<tenant>, comma-separated. No token, no access.")
        .define(MAX_FUTURE_SKEW, Type.STRING, "5m", duration(), Importance.MEDIUM,
            "Events further ahead of the wall clock are dead-lettered as FUTURE_TIMESTAMP.")
        .define(MAX_TOKENS, Type.LONG, io.marginflow.topology.domain.Validation.DEFAULT_MAX_TOKENS,
            ConfigDef.Range.between(1, 1_000_000_000L), Importance.MEDIUM,
            "The most each token count of one request (input, cached input, output) may claim; more is dead-lettered as "
                + "TOO_MANY_TOKENS, so that no single event can move other tenants' share of a bucket.")
        .define(DEDUP_HORIZON, Type.STRING, "1h", duration(), Importance.MEDIUM,
            "Event-time horizon within which a repeated TokenUsage event_id counts once.")
        .define(BUCKET, Type.STRING, "60s", duration(), Importance.MEDIUM, "Attribution bucket length (epoch-aligned).")
        .define(GRACE, Type.STRING, "5m", duration(), Importance.MEDIUM,
            "How long after its end a bucket waits for out-of-order events before it is finalized.")
        .define(WEIGHT_INPUT, Type.STRING, "1.0", decimal(), Importance.MEDIUM, "Weight of an uncached input token.")
        .define(WEIGHT_CACHED, Type.STRING, "0.1", decimal(), Importance.MEDIUM, "Weight of a cached input token.")
        .define(WEIGHT_OUTPUT, Type.STRING, "4.0", decimal(), Importance.MEDIUM, "Weight of an output token.")
        .define(DEFAULT_ENERGY_PRICE, Type.STRING, "0.10", decimal(), Importance.MEDIUM,
            "USD per kWh for a region without an EnergyPrice in force.")
        .define(MARGIN_WINDOWS, Type.STRING, "1h,24h/1h", windows(), Importance.MEDIUM,
            "Margin windows, size[/advance], comma-separated: 1h tumbling and a 24h window advancing by 1h.")
        .define(MARGIN_RETENTION, Type.STRING, "7d", duration(), Importance.LOW, "How long closed windows stay queryable.")
        .define(MARGIN_TOPIC_RETENTION, Type.STRING, "90d", duration(), Importance.MEDIUM,
            "How long the broker keeps a margin record after it was written (retention.ms of the margins topic, applied by "
                + "'topics apply'); counted from the writing, whatever the window's event time.")
        .define(WATERMARK_INTERVAL, Type.STRING, "10s", duration(), Importance.LOW,
            "Event-time step at which each input partition reports its progress downstream.")
        .define(IDLE_TIMEOUT, Type.STRING, "0", duration(), Importance.LOW,
            "Opt-in for producers that send no tick records: a partition silent for this long (wall clock) is taken to "
                + "have reached the wall clock minus this long. 0 (default) disables it; never use it when event time lags "
                + "the wall clock (replays, backfills).")
        .define(STALL_WARNING, Type.STRING, "5m", duration(), Importance.LOW,
            "An input partition whose stream time has not advanced for this long (wall clock: no valid record, no tick) "
                + "is logged at WARN, naming it: it holds every window open. Its lag also shows in "
                + "marginflow_watermark_lag_seconds. 0 disables the warning.")
        .define(ZOMBIE_IDLE_SHARE, Type.DOUBLE, 0.95, ConfigDef.Range.between(0.0, 1.0), Importance.LOW,
            "ZOMBIE_NODE (alerts.capacity.v1): a node is alerted when at least this share of its cost over a closed "
                + "alerts.zombie.window went to __idle__.")
        .define(ZOMBIE_WINDOW, Type.STRING, "1h", duration(), Importance.LOW,
            "Window of the ZOMBIE_NODE check (epoch-aligned, a multiple of the attribution bucket dividing a day).")
        .define(PRICING_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, "Dynamic pricing on or off (multiplier 1.0 when off).")
        .define(PRICING_INTERVAL, Type.STRING, "5m", duration(), Importance.LOW, "Dynamic pricing control interval (event time).")
        .define(PRICING_TARGET, Type.STRING, "0.30", decimal(), Importance.LOW, "Target margin ratio of dynamic pricing.")
        .define(PRICING_FLOOR, Type.STRING, "0.8", decimal(), Importance.LOW, "Lowest multiplier.")
        .define(PRICING_CEILING, Type.STRING, "1.5", decimal(), Importance.LOW, "Highest multiplier.")
        .define(PRICING_MAX_STEP, Type.STRING, "0.05", decimal(), Importance.LOW, "Largest change of a multiplier per interval.")
        .define(PRICING_DEADBAND, Type.STRING, "0.01", decimal(), Importance.LOW, "Changes smaller than this are not made.");
    io.marginflow.topology.http.Tls.define(d, "http.", "query API and dashboard");
    return defineTopics(d);
  }

  /** topic.&lt;id&gt; for every declared topic (dead-letter and late topics follow their source's name). */
  private static ConfigDef defineTopics(ConfigDef d) {
    for (TopicDeclaration t : TopicCatalog.defaults().all()) {
      if (!t.id().endsWith("-dlq") && !t.id().endsWith("-late")) {
        d.define(TOPIC_PREFIX + t.id(), Type.STRING, t.name(), new ConfigDef.NonEmptyString(), Importance.LOW,
            "Topic name: " + t.doc());
      }
    }
    return d;
  }

  private static ConfigDef.Validator duration() {
    return (name, value) -> {
      try {
        if (Durations.parse(String.valueOf(value)).isNegative()) {
          throw new ConfigException(name, value, "must not be negative");
        }
      } catch (RuntimeException e) {
        if (e instanceof ConfigException ce) {
          throw ce;
        }
        throw new ConfigException(name, value, "not a duration (examples: 500ms, 60s, 5m, 1h, 7d, PT5M)");
      }
    };
  }

  private static ConfigDef.Validator decimal() {
    return (name, value) -> {
      try {
        if (new BigDecimal(String.valueOf(value).trim()).signum() < 0) {
          throw new ConfigException(name, value, "must not be negative");
        }
      } catch (NumberFormatException e) {
        throw new ConfigException(name, value, "not a decimal number");
      }
    };
  }

  private static ConfigDef.Validator windows() {
    return (name, value) -> {
      try {
        WindowSpec.parseList(String.valueOf(value));
      } catch (RuntimeException e) {
        throw new ConfigException(name, value, "not a window list like 1h,24h/1h: " + e.getMessage());
      }
    };
  }

  /** The schema, for documentation (README configuration table) and tools. */
  public static ConfigDef definitionForDocs() {
    return DEF;
  }

  /** Settings from explicit values only (defaults for the rest); unknown keys fail. */
  public static MarginflowConfig of(Map<String, String> values) {
    Set<String> known = DEF.names();
    for (String key : values.keySet()) {
      if (RETIRED.containsKey(key)) {
        throw new ConfigException(key, values.get(key), RETIRED.get(key));
      }
      if (!known.contains(key) && PASS_THROUGH.stream().noneMatch(key::startsWith)) {
        throw new ConfigException(key, values.get(key), "unknown setting" + SettingNames.suggestion(key, known)
            + " (known: see README 'Configuration')");
      }
    }
    MarginflowConfig c = new MarginflowConfig(values);
    c.pricingPolicy();
    return c;
  }

  /** SPEC 2's validity rules under ingest.max-future-skew and ingest.max-tokens-per-request. */
  public io.marginflow.topology.domain.Validation validation() {
    return new io.marginflow.topology.domain.Validation(duration(MAX_FUTURE_SKEW).toMillis(), getLong(MAX_TOKENS));
  }

  /** Dynamic pricing's bounds (SPEC 9); inconsistent ones fail naming the setting. */
  public io.marginflow.topology.domain.PricingPolicy pricingPolicy() {
    try {
      return new io.marginflow.topology.domain.PricingPolicy(duration(PRICING_INTERVAL).toMillis(), decimal(PRICING_TARGET),
          decimal(PRICING_FLOOR), decimal(PRICING_CEILING), decimal(PRICING_MAX_STEP), decimal(PRICING_DEADBAND));
    } catch (IllegalArgumentException e) {
      String key = Stream.of(PRICING_INTERVAL, PRICING_TARGET, PRICING_FLOOR, PRICING_CEILING, PRICING_MAX_STEP,
          PRICING_DEADBAND).filter(k -> e.getMessage().startsWith(k)).findFirst().orElse("pricing");
      throw new ConfigException(key, getString(key.equals("pricing") ? PRICING_TARGET : key), e.getMessage());
    }
  }

  /** Layers defaults, {@code file} (may be null), the environment and {@code overrides}. */
  public static MarginflowConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    return load(file == null ? Map.of() : readProperties(file), env, overrides);
  }

  /** The same with the file's settings already read (a caller that keeps some keys for itself removes them first). */
  public static MarginflowConfig load(Map<String, String> fromFile, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>(fromFile);
    for (String key : DEF.names()) {
      String v = env.get(envName(key));
      if (v != null) {
        values.put(key, v);
      }
    }
    values.putAll(overrides);
    return of(values);
  }

  /** Every setting's name (pass-through prefixes such as kafka.* aside). */
  public static Set<String> keys() {
    return DEF.names();
  }

  /** MARGINFLOW_ATTRIBUTION_GRACE for attribution.grace. */
  public static String envName(String key) {
    return "MARGINFLOW_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The settings in a properties file; a file that cannot be read fails naming it. */
  public static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("--config", file.toString(), "cannot read: " + e.getMessage());
    }
    Map<String, String> out = new HashMap<>();
    p.forEach((k, v) -> out.put(k.toString().trim(), v.toString().trim()));
    return out;
  }

  public Duration duration(String key) {
    return Durations.parse(getString(key));
  }

  public BigDecimal decimal(String key) {
    return new BigDecimal(getString(key).trim());
  }

  /** Pass-through settings with {@code prefix} removed when {@code strip}. */
  /**
   * Every setting in force (defaults included, pass-through settings as given), sorted, with secrets masked as
   * {@code [hidden]}: passwords, JAAS configurations, registry credentials, API tokens, keys. For the start-up log.
   */
  public Map<String, String> effective() {
    Map<String, String> out = new java.util.TreeMap<>();
    values().forEach((k, v) -> out.put(k, masked(k, v)));
    originals().forEach((k, v) -> out.put(k, masked(k, v)));
    return out;
  }

  static boolean secret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.endsWith("password") || k.endsWith(".jaas.config") || k.endsWith("user.info") || k.endsWith("token")
        || k.endsWith("tokens") || k.contains("secret") || k.endsWith(".key") || k.endsWith("credentials");
  }

  private static String masked(String key, Object value) {
    if (value == null) {
      return "null";
    }
    if (secret(key) || value instanceof org.apache.kafka.common.config.types.Password) {
      return String.valueOf(value).isEmpty() ? "" : "[hidden]";
    }
    return String.valueOf(value);
  }

  public Map<String, Object> withPrefix(String prefix, boolean strip) {
    Map<String, Object> out = new HashMap<>();
    originals().forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(strip ? k.substring(prefix.length()) : k, v);
      }
    });
    return out;
  }

  /** Settings for the registry client and serdes. */
  public Map<String, Object> registryConfig() {
    Map<String, Object> out = new HashMap<>();
    for (String prefix : PASS_THROUGH.subList(1, PASS_THROUGH.size())) {
      out.putAll(withPrefix(prefix, false));
    }
    out.put(SCHEMA_REGISTRY_URL, getString(SCHEMA_REGISTRY_URL));
    return out;
  }
}
