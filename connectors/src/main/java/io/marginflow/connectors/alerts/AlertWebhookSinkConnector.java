package io.marginflow.connectors.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink that delivers marginflow's alerts (alerts.budget.v1, alerts.capacity.v1) to HTTP webhooks: generic
 * JSON, Slack incoming webhooks or PagerDuty Events API v2, a tenant's own URL or the default, alert_id as the
 * idempotency key, retries with backoff and jitter, a dead-letter queue for what cannot be delivered.
 * Example configurations: connectors/config/.
 */
public final class AlertWebhookSinkConnector extends SinkConnector {
  static final String VERSION = "0.1.0";
  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    new AlertWebhookConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return AlertWebhookSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) {
      out.add(props);
    }
    return out;
  }

  @Override
  public void stop() {
    // nothing held
  }

  @Override
  public ConfigDef config() {
    return AlertWebhookConfig.DEF;
  }

  @Override
  public String version() {
    return VERSION;
  }
}
