package io.marginflow.topology.config;

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
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
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
  public static final String PRICING_FIXED = "pricing.fixed-multipliers";
  public static final String PRICING_LAW = "pricing.law";
  public static final String PRICING_NORMAL_HORIZON = "pricing.normal-horizon";
  public static final String TOPIC_PREFIX = "topic.";

  static final List<String> PASS_THROUGH = List.of("kafka.", "schema.registry.", "basic.auth.", "bearer.auth.");
  /** Settings of earlier releases that no longer exist, with what to do instead (refused, never ignored). */
  static final Map<String, String> RETIRED = Map.of("attribution.split", "removed: the two-level split (SPEC 3) is the "
      + "only one; a deployment that ran attribution.split=node upgrades as docs/RUNBOOK.md 'Upgrading from the node "
      + "split' says");
  private static final ConfigDef DEF = ConfigSchema.definition();

  private MarginflowConfig(Map<String, ?> values) {
    super(DEF, values, false);
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
    if (!c.getBoolean(PRICING_ENABLED) && !c.getString(PRICING_FIXED).isBlank()) {
      throw new ConfigException(PRICING_FIXED, c.getString(PRICING_FIXED), "needs pricing.dynamic.enabled=true: fixed "
          + "multipliers are published through the pricing loop");
    }
    return c;
  }

  /** SPEC 2's validity rules under ingest.max-future-skew and ingest.max-tokens-per-request. */
  public io.marginflow.topology.domain.Validation validation() {
    return new io.marginflow.topology.domain.Validation(duration(MAX_FUTURE_SKEW).toMillis(), getLong(MAX_TOKENS));
  }

  /** Dynamic pricing's bounds and law (SPEC 9); inconsistent ones fail naming the setting. */
  public io.marginflow.topology.domain.PricingPolicy pricingPolicy() {
    return PricingSettings.policy(this);
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

  /**
   * Every setting in force (defaults included, pass-through settings as given), sorted, with secrets masked as
   * {@code [hidden]}: passwords, JAAS configurations, registry credentials, API tokens, keys. For the start-up log.
   */
  public Map<String, String> effective() {
    Map<String, String> out = new java.util.TreeMap<>();
    values().forEach((k, v) -> out.put(k, Secrets.masked(k, v)));
    originals().forEach((k, v) -> out.put(k, Secrets.masked(k, v)));
    return out;
  }

  /** Pass-through settings with {@code prefix} removed when {@code strip}. */
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
