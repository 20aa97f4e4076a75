package io.marginflow.connectors.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.schemas.AvroJson;
import io.marginflow.serde.ConfluentAvroDeserializer;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each alert (BudgetAlert or CapacityAlert, Confluent Avro read as bytes) to its webhook: a tenant's own URL
 * for its budget alerts where configured, the default otherwise. A retriable failure pauses the task for the backoff
 * (SinkTaskContext.timeout) and has Kafka Connect hand the batch back; the alerts of the batch already delivered are
 * skipped then, and a receiver can drop any other repeat by the Idempotency-Key. An alert rejected with a 4xx, one that
 * still fails after retry.max.attempts, or one that cannot be read goes to the connector's dead-letter queue.
 */
public final class AlertWebhookSinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(AlertWebhookSinkTask.class);
  private static final int REMEMBERED = 100_000;
  private AlertWebhookConfig config;
  private WebhookDelivery delivery;
  private List<Deserializer<? extends SpecificRecord>> readers;
  private Map<String, URI> tenantUrls;
  private URI defaultUrl;
  private final Map<String, Integer> attempts = new HashMap<>();
  /** Alert ids delivered or dead-lettered lately, so that a batch handed back after a retry does not repeat them. */
  private final Map<String, Boolean> done = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };

  @Override
  public String version() {
    return AlertWebhookSinkConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new AlertWebhookConfig(props);
    delivery = new WebhookDelivery(Duration.ofMillis(config.getLong(AlertWebhookConfig.REQUEST_TIMEOUT)),
        config.getLong(AlertWebhookConfig.BACKOFF_INITIAL), config.getLong(AlertWebhookConfig.BACKOFF_MAX));
    Map<String, Object> serde = Map.of("schema.registry.url", config.getString(AlertWebhookConfig.REGISTRY_URL));
    ConfluentAvroDeserializer<BudgetAlert> budget = new ConfluentAvroDeserializer<>(BudgetAlert.class);
    budget.configure(serde, false);
    ConfluentAvroDeserializer<CapacityAlert> capacity = new ConfluentAvroDeserializer<>(CapacityAlert.class);
    capacity.configure(serde, false);
    readers = List.of(budget, capacity);
    tenantUrls = config.tenantUrls();
    defaultUrl = config.defaultUrl();
    LOG.info("Alert webhooks: {} body, default target and {} tenant targets (URLs hidden)", config.format(), tenantUrls.size());
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    for (SinkRecord record : records) {
      ObjectNode alert = read(record);
      if (alert == null) {
        continue;
      }
      String id = alert.path("alert_id").asText();
      if (done.containsKey(id)) {
        continue;
      }
      String tenant = alert.hasNonNull("tenant_id") ? alert.get("tenant_id").asText() : null;
      URI url = tenant != null && tenantUrls.containsKey(tenant) ? tenantUrls.get(tenant) : defaultUrl;
      String target = tenant != null && tenantUrls.containsKey(tenant) ? "tenant " + tenant + "'s webhook" : "the default webhook";
      int attempt = attempts.getOrDefault(id, 0);
      WebhookDelivery.Result r = delivery.post(url, AlertBodies.body(config.format(), alert,
          config.getPassword(AlertWebhookConfig.PAGERDUTY_ROUTING_KEY).value()), id,
          config.getPassword(AlertWebhookConfig.AUTHORIZATION).value(), attempt);
      switch (r.outcome()) {
        case DELIVERED -> finish(id);
        case REJECTED -> deadLetter(record, id, target + " rejected alert " + id + " (" + r.detail() + ")");
        case RETRY -> {
          if (attempt + 1 >= config.getInt(AlertWebhookConfig.MAX_ATTEMPTS)) {
            deadLetter(record, id, target + " still failing after " + (attempt + 1) + " attempts (" + r.detail() + ")");
          } else {
            attempts.put(id, attempt + 1);
            LOG.warn("Alert {} to {}: {}; attempt {} again in {} ms", id, target, r.detail(), attempt + 2, r.waitMs());
            context.timeout(r.waitMs());
            throw new RetriableException("alert " + id + " to " + target + ": " + r.detail());
          }
        }
        default -> throw new IllegalStateException(r.outcome().name());
      }
    }
  }

  private ObjectNode read(SinkRecord record) {
    if (!(record.value() instanceof byte[] bytes)) {
      deadLetter(record, null, "value is not bytes: set value.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
      return null;
    }
    RuntimeException last = null;
    for (Deserializer<? extends SpecificRecord> reader : readers) {
      try {
        return AvroJson.toJson(reader.deserialize(record.topic(), bytes));
      } catch (RuntimeException e) {
        last = e;
      }
    }
    deadLetter(record, null, "not a BudgetAlert or CapacityAlert: " + last);
    return null;
  }

  private void finish(String id) {
    attempts.remove(id);
    done.put(id, Boolean.TRUE);
  }

  private void deadLetter(SinkRecord record, String id, String reason) {
    ErrantRecordReporter reporter = context.errantRecordReporter();
    if (reporter == null) {
      LOG.error("Dropping {}-{}@{}: {}. Set errors.tolerance=all and errors.deadletterqueue.topic.name to keep such "
          + "alerts in a dead-letter queue.", record.topic(), record.kafkaPartition(), record.kafkaOffset(), reason);
    } else {
      try {
        reporter.report(record, new DataException(reason)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetriableException("interrupted while dead-lettering " + id, e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new RetriableException("could not dead-letter " + id + ": " + e.getCause(), e.getCause());
      }
      LOG.warn("Dead-lettered {}-{}@{}: {}", record.topic(), record.kafkaPartition(), record.kafkaOffset(), reason);
    }
    if (id != null) {
      finish(id);
    }
  }

  @Override
  public void stop() {
    attempts.clear();
  }
}
