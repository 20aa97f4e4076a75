package io.marginflow.topology.config;

import static io.marginflow.topology.config.MarginflowConfig.APPLICATION_ID;
import static io.marginflow.topology.config.MarginflowConfig.BOOTSTRAP_SERVERS;
import static io.marginflow.topology.config.MarginflowConfig.BUCKET;
import static io.marginflow.topology.config.MarginflowConfig.COMMIT_INTERVAL;
import static io.marginflow.topology.config.MarginflowConfig.DEDUP_HORIZON;
import static io.marginflow.topology.config.MarginflowConfig.DEFAULT_ENERGY_PRICE;
import static io.marginflow.topology.config.MarginflowConfig.GRACE;
import static io.marginflow.topology.config.MarginflowConfig.HTTP_BIND;
import static io.marginflow.topology.config.MarginflowConfig.HTTP_HOST;
import static io.marginflow.topology.config.MarginflowConfig.HTTP_PORT;
import static io.marginflow.topology.config.MarginflowConfig.HTTP_TOKENS;
import static io.marginflow.topology.config.MarginflowConfig.IDLE_TIMEOUT;
import static io.marginflow.topology.config.MarginflowConfig.INSTANCE_ID;
import static io.marginflow.topology.config.MarginflowConfig.MARGIN_RETENTION;
import static io.marginflow.topology.config.MarginflowConfig.MARGIN_TOPIC_RETENTION;
import static io.marginflow.topology.config.MarginflowConfig.MARGIN_WINDOWS;
import static io.marginflow.topology.config.MarginflowConfig.MAX_FUTURE_SKEW;
import static io.marginflow.topology.config.MarginflowConfig.MAX_TOKENS;
import static io.marginflow.topology.config.MarginflowConfig.NUM_STANDBY_REPLICAS;
import static io.marginflow.topology.config.MarginflowConfig.NUM_STREAM_THREADS;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_CEILING;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_DEADBAND;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_ENABLED;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_FIXED;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_LAW;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_NORMAL_HORIZON;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_FLOOR;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_INTERVAL;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_MAX_STEP;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_TARGET;
import static io.marginflow.topology.config.MarginflowConfig.PROCESSING_GUARANTEE;
import static io.marginflow.topology.config.MarginflowConfig.SCHEMA_REGISTRY_URL;
import static io.marginflow.topology.config.MarginflowConfig.STALL_WARNING;
import static io.marginflow.topology.config.MarginflowConfig.STATE_DIR;
import static io.marginflow.topology.config.MarginflowConfig.TOPIC_PREFIX;
import static io.marginflow.topology.config.MarginflowConfig.WATERMARK_INTERVAL;
import static io.marginflow.topology.config.MarginflowConfig.WEIGHT_CACHED;
import static io.marginflow.topology.config.MarginflowConfig.WEIGHT_INPUT;
import static io.marginflow.topology.config.MarginflowConfig.WEIGHT_OUTPUT;
import static io.marginflow.topology.config.MarginflowConfig.ZOMBIE_IDLE_SHARE;
import static io.marginflow.topology.config.MarginflowConfig.ZOMBIE_WINDOW;

import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.TopicDeclaration;
import io.marginflow.topology.http.Tls;
import java.math.BigDecimal;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The schema of marginflow's settings: each key's type, default, validator and doc (the README's configuration table
 * is generated from it). {@link MarginflowConfig} loads and reads settings against it.
 */
final class ConfigSchema {
  private ConfigSchema() {
  }

  static ConfigDef definition() {
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
            "Window of the ZOMBIE_NODE check (epoch-aligned, a multiple of the attribution bucket dividing a day).");
    pricing(d);
    Tls.define(d, "http.", "query API and dashboard");
    return defineTopics(d);
  }

  /** Dynamic pricing (SPEC 9). */
  private static void pricing(ConfigDef d) {
    d.define(PRICING_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, "Dynamic pricing on or off (multiplier 1.0 when off).")
        .define(PRICING_INTERVAL, Type.STRING, "5m", duration(), Importance.LOW, "Dynamic pricing control interval (event time).")
        .define(PRICING_TARGET, Type.STRING, "0.30", decimal(), Importance.LOW,
            "pricing.law=margin-ratio: the target margin ratio (refused with another law).")
        .define(PRICING_FLOOR, Type.STRING, "0.8", decimal(), Importance.LOW, "Lowest multiplier.")
        .define(PRICING_CEILING, Type.STRING, "1.5", decimal(), Importance.LOW, "Highest multiplier.")
        .define(PRICING_MAX_STEP, Type.STRING, "0.05", decimal(), Importance.LOW, "Largest change of a multiplier per interval.")
        .define(PRICING_DEADBAND, Type.STRING, "0.01", decimal(), Importance.LOW, "Changes smaller than this are not made.")
        .define(PRICING_LAW, Type.STRING, "marginal-cost", ConfigDef.ValidString.in("margin-ratio", "marginal-cost"),
            Importance.LOW, "Control law: margin-ratio (steers the realized margin ratio toward pricing.target-margin) or "
                + "marginal-cost (list price at normal load and cost; passes marginal-cost changes through, raises when the "
                + "GPUs are busier than normal or energy dearer, back toward list when they are not, never below marginal "
                + "cost).")
        .define(PRICING_NORMAL_HORIZON, Type.STRING, "1h", duration(), Importance.LOW, "pricing.law=marginal-cost: over how "
            + "long a moving average makes a region's normal pressure and marginal cost (at least pricing.interval).")
        .define(PRICING_FIXED, Type.STRING, "", Importance.LOW, "Regions priced at a fixed multiplier instead of by the "
            + "controller, e.g. eu-west=0.5,us-east=1.2 (each within [pricing.floor, pricing.ceiling]); the loop publishes "
            + "the change like any decision, from the first interval it closes. Empty: the controller prices every region.");
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
}
