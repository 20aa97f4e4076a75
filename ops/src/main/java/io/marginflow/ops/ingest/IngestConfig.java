package io.marginflow.ops.ingest;

import io.marginflow.topology.config.MarginflowConfig;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The ingest gateway's own settings ({@code ingest.*}); the cluster, registry and topics are the pipeline's settings
 * (README, Configuration), read from the same file. Each source attribute of the OpenTelemetry mapping can be renamed.
 */
public final class IngestConfig extends AbstractConfig {
  public static final String PREFIX = "ingest.";
  public static final String PORT = "ingest.port";
  public static final String TOKENS = "ingest.tokens";
  public static final String BIND = "ingest.bind";
  public static final String ALLOW_ANONYMOUS = "ingest.allow-anonymous";
  public static final String MAX_BODY = "ingest.max-body-bytes";
  public static final String ATTR = "ingest.otlp.attribute.";

  /** The attributes read from spans and resources. */
  public record Attributes(String tenant, String responseModel, String requestModel, String node, String region,
      String defaultRegion, String inputTokens, String outputTokens, String cachedInputTokens, String apiKey,
      String requestId) {
    public static Attributes defaults() {
      return new IngestConfig(Map.of()).attributes();
    }
  }

  private static final String[][] ATTRIBUTES = {
      {"tenant", "tenant.id", "Tenant: span attribute, else resource attribute."},
      {"response-model", "gen_ai.response.model", "Model, preferred."},
      {"request-model", "gen_ai.request.model", "Model when the response's is absent."},
      {"node", "host.name", "Node that served the request: span, else resource attribute."},
      {"region", "cloud.region", "Region: span, else resource attribute."},
      {"input-tokens", "gen_ai.usage.input_tokens", "Input tokens, cached ones included."},
      {"output-tokens", "gen_ai.usage.output_tokens", "Output tokens."},
      {"cached-input-tokens", "gen_ai.usage.cache_read.input_tokens", "Cached input tokens (a subset of input tokens)."},
      {"api-key", "", "Optional API key id attribute (empty: none)."},
      {"request-id", "gen_ai.response.id", "Optional upstream request id attribute."},
  };

  static final ConfigDef DEF = definition();

  private static ConfigDef definition() {
    ConfigDef d = new ConfigDef()
        .define(PORT, Type.INT, 4318, ConfigDef.Range.between(0, 65_535), Importance.HIGH,
            "OTLP/HTTP and /v1/usage port (4318 is OTLP/HTTP's registered port; 0 picks a free one).")
        .define(BIND, Type.STRING, "0.0.0.0", Importance.MEDIUM, "Address the gateway listens on.")
        .define(TOKENS, Type.PASSWORD, "", Importance.HIGH, "Bearer tokens accepted, comma-separated. Empty: no token "
            + "needed, which the gateway accepts only on a loopback address or with " + ALLOW_ANONYMOUS + "=true.")
        .define(ALLOW_ANONYMOUS, Type.BOOLEAN, false, Importance.HIGH, "Start without " + TOKENS + " on a non-loopback "
            + BIND + " (anyone who reaches the port can then write usage for any tenant): only behind your own "
            + "authentication.")
        .define(MAX_BODY, Type.INT, 16 * 1024 * 1024, ConfigDef.Range.atLeast(1024), Importance.LOW,
            "Largest request body, after decompression.")
        .define(ATTR + "default-region", Type.STRING, "default", (name, value) -> {
          String problem = io.marginflow.schemas.Ids.problem(String.valueOf(value)).orElse(null);
          if (problem != null) {
            throw new ConfigException(name, value, "a region id " + problem);
          }
        }, Importance.LOW, "Region when no attribute names one (an id by SPEC 2's rule).");
    io.marginflow.topology.http.Tls.define(d, PREFIX, "ingest gateway");
    for (String[] a : ATTRIBUTES) {
      d.define(ATTR + a[0], Type.STRING, a[1], Importance.LOW, a[2]);
    }
    return d;
  }

  public IngestConfig(Map<String, ?> values) {
    super(DEF, values);
  }

  /**
   * The ingest.* settings: defaults < {@code fromFile} < the MARGINFLOW_INGEST_* environment < {@code overrides}.
   * Unknown ingest.* keys fail, naming the key; other keys are the pipeline's.
   */
  public static IngestConfig from(Map<String, String> fromFile, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> mine = new HashMap<>(own(fromFile));
    for (String key : DEF.names()) {
      String v = env.get("MARGINFLOW_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
      if (v != null) {
        mine.put(key, v);
      }
    }
    mine.putAll(own(overrides));
    return new IngestConfig(mine);
  }

  /**
   * The gateway's own keys of {@code values}. An ingest.* key that is neither the gateway's nor the pipeline's (such as
   * ingest.max-future-skew) fails here, naming it.
   */
  private static Map<String, String> own(Map<String, String> values) {
    Map<String, String> out = new HashMap<>();
    values.forEach((k, v) -> {
      if (DEF.names().contains(k)) {
        out.put(k, v);
      } else if (k.startsWith(PREFIX) && !MarginflowConfig.keys().contains(k)) {
        throw new ConfigException(k, v, "unknown setting (known: see README 'Configuration')");
      }
    });
    return out;
  }

  /** {@code values} without the gateway's own keys: the pipeline's settings (ingest.max-future-skew among them). */
  public static Map<String, String> others(Map<String, String> values) {
    Map<String, String> out = new HashMap<>(values);
    out.keySet().removeIf(DEF.names()::contains);
    return out;
  }

  /**
   * Refuses, naming the keys, a gateway that anyone on the network could write to: no {@link #TOKENS} on a
   * non-loopback {@link #BIND} without {@link #ALLOW_ANONYMOUS}.
   */
  public void requireAuthenticatedExposure() {
    String bind = getString(BIND);
    if (tokens().isEmpty() && !io.marginflow.topology.http.Tls.loopback(bind) && !getBoolean(ALLOW_ANONYMOUS)) {
      throw new ConfigException(ALLOW_ANONYMOUS, "false", BIND + "=" + bind + " is reachable from other machines and "
          + TOKENS + " is empty: anyone could write usage for any tenant. Set " + TOKENS + ", bind to 127.0.0.1, or set "
          + ALLOW_ANONYMOUS + "=true behind your own authentication");
    }
  }

  public java.util.Set<String> tokens() {
    Password p = getPassword(TOKENS);
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String t : p.value().split(",")) {
      if (!t.isBlank()) {
        out.add(t.trim());
      }
    }
    return out;
  }

  public Attributes attributes() {
    return new Attributes(attr("tenant"), attr("response-model"), attr("request-model"), attr("node"), attr("region"),
        getString(ATTR + "default-region"), attr("input-tokens"), attr("output-tokens"), attr("cached-input-tokens"),
        attr("api-key"), attr("request-id"));
  }

  private String attr(String name) {
    String v = getString(ATTR + name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
