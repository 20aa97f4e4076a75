package io.marginflow.connectors.alerts;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the alert webhook sink. URLs and keys are {@link Password}s: Kafka Connect masks them in its REST API and
 * logs, and this connector never logs them (it names a target by tenant, or "default").
 */
public final class AlertWebhookConfig extends AbstractConfig {
  public static final String URL = "webhook.url";
  public static final String TENANT_URLS = "webhook.tenant.urls";
  public static final String FORMAT = "webhook.format";
  public static final String PAGERDUTY_ROUTING_KEY = "pagerduty.routing.key";
  public static final String AUTHORIZATION = "webhook.authorization";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String MAX_ATTEMPTS = "retry.max.attempts";
  public static final String BACKOFF_INITIAL = "retry.backoff.initial.ms";
  public static final String BACKOFF_MAX = "retry.backoff.max.ms";
  public static final String REQUEST_TIMEOUT = "request.timeout.ms";

  /** Body formats. */
  public enum Format { JSON, SLACK, PAGERDUTY }

  static final ConfigDef DEF = new ConfigDef()
      .define(URL, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "Default webhook URL (may carry a token: masked everywhere).")
      .define(TENANT_URLS, Type.PASSWORD, "", Importance.MEDIUM,
          "A tenant's own webhook: tenant=url,tenant=url. Budget alerts of a listed tenant go there; the rest, and "
              + "capacity alerts, to webhook.url.")
      .define(FORMAT, Type.STRING, "json", ConfigDef.CaseInsensitiveValidString.in("json", "slack", "pagerduty"),
          Importance.HIGH, "Body: json (the alert as is), slack (incoming webhook: text and blocks), pagerduty (Events API v2).")
      .define(PAGERDUTY_ROUTING_KEY, Type.PASSWORD, "", Importance.MEDIUM, "Routing key of a PagerDuty service (pagerduty format).")
      .define(AUTHORIZATION, Type.PASSWORD, "", Importance.LOW, "Authorization header sent with every request, if set.")
      .define(REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "Schema registry of the alert topics (Confluent wire format; the connector reads the values as bytes).")
      .define(MAX_ATTEMPTS, Type.INT, 12, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          "Attempts for a retriable failure (429, 5xx, connection error) before the alert goes to the dead-letter queue.")
      .define(BACKOFF_INITIAL, Type.LONG, 500L, ConfigDef.Range.atLeast(1), Importance.LOW,
          "First retry delay; doubles per attempt, with full jitter, up to retry.backoff.max.ms. A Retry-After wins.")
      .define(BACKOFF_MAX, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW, "Longest retry delay.")
      .define(REQUEST_TIMEOUT, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW, "HTTP request timeout.");

  public AlertWebhookConfig(Map<?, ?> props) {
    super(DEF, props);
    defaultUrl();
    tenantUrls();
    if (format() == Format.PAGERDUTY && getPassword(PAGERDUTY_ROUTING_KEY).value().isBlank()) {
      throw new ConfigException(PAGERDUTY_ROUTING_KEY, "[hidden]", "required with webhook.format=pagerduty");
    }
  }

  public Format format() {
    return Format.valueOf(getString(FORMAT).toUpperCase(java.util.Locale.ROOT));
  }

  public URI defaultUrl() {
    return uri(URL, getPassword(URL).value());
  }

  /** tenant to URL, in the order given. */
  public Map<String, URI> tenantUrls() {
    Map<String, URI> out = new LinkedHashMap<>();
    String spec = getPassword(TENANT_URLS).value();
    for (String pair : spec.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(TENANT_URLS, "[hidden]", "expected tenant=url pairs separated by commas");
      }
      out.put(pair.substring(0, eq).trim(), uri(TENANT_URLS, pair.substring(eq + 1).trim()));
    }
    return out;
  }

  private static URI uri(String key, String value) {
    try {
      URI u = URI.create(value);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        throw new IllegalArgumentException("not http(s)");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "[hidden]", "not an http(s) URL");
    }
  }
}
