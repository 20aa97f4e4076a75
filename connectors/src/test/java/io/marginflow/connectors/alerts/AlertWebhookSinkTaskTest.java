package io.marginflow.connectors.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.marginflow.avro.AlertMetric;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.CapacityAlertKind;
import io.marginflow.serde.ConfluentAvroSerializer;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task against a local HTTP server that answers 503 twice, then 429 with Retry-After: 1, then 200 on the default
 * path, and 400 on tenant acme's own path. The test plays Kafka Connect: a RetriableException hands the same batch back.
 */
class AlertWebhookSinkTaskTest {
  private final String registry = "mock://webhook-" + UUID.randomUUID();
  private HttpServer server;
  private final List<String> deliveredIds = Collections.synchronizedList(new ArrayList<>());
  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger defaultCalls = new AtomicInteger();

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/default", ex -> {
      int n = defaultCalls.incrementAndGet();
      byte[] body = ex.getRequestBody().readAllBytes();
      int status = n <= 2 ? 503 : n == 3 ? 429 : 200;
      if (status == 429) {
        ex.getResponseHeaders().add("Retry-After", "1");
      }
      if (status == 200) {
        deliveredIds.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
        bodies.add(new String(body, StandardCharsets.UTF_8));
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.createContext("/acme", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] msg = "{\"error\":\"bad payload\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(400, msg.length);
      ex.getResponseBody().write(msg);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private SinkRecord record(String topic, long offset, SpecificRecord value) {
    ConfluentAvroSerializer<SpecificRecord> s = new ConfluentAvroSerializer<>();
    s.configure(Map.of("schema.registry.url", registry), false);
    return new SinkRecord(topic, 0, null, null, null, s.serialize(topic, value), offset);
  }

  private static BudgetAlert threshold(String id, String tenant) {
    return BudgetAlert.newBuilder().setAlertId(id).setKind(BudgetAlertKind.THRESHOLD).setTenantId(tenant)
        .setMetric(AlertMetric.SPEND).setPeriodStartMs(Instant.ofEpochMilli(0)).setPeriodEndMs(Instant.ofEpochMilli(86_400_000))
        .setAmountUsd(new BigDecimal("80.000000000")).setLimitUsd(new BigDecimal("100.000000000")).setThreshold(0.8)
        .setObservedAtMs(Instant.ofEpochMilli(1_000)).setMessage(tenant + " reached 80 %").build();
  }

  @Test
  void shouldDeliverEveryAlertOnceAfterRetriesAndDeadLetterTheRejectedOne() {
    List<String> reported = new ArrayList<>();
    List<Long> timeouts = new ArrayList<>();
    AlertWebhookSinkTask task = new AlertWebhookSinkTask();
    task.initialize(context(reported, timeouts));
    task.start(Map.of(AlertWebhookConfig.URL, url("/default"), AlertWebhookConfig.TENANT_URLS, "acme=" + url("/acme"),
        AlertWebhookConfig.REGISTRY_URL, registry, AlertWebhookConfig.BACKOFF_INITIAL, "10",
        AlertWebhookConfig.BACKOFF_MAX, "5000"));
    CapacityAlert zombie = CapacityAlert.newBuilder().setAlertId("z1").setKind(CapacityAlertKind.ZOMBIE_NODE)
        .setNodeId("node-7").setWindowStartMs(Instant.ofEpochMilli(0)).setWindowEndMs(Instant.ofEpochMilli(3_600_000))
        .setNodeCostUsd(new BigDecimal("9.689819760")).setIdleCostUsd(new BigDecimal("9.528322764")).setIdleShare(59.0 / 60)
        .setObservedAtMs(Instant.ofEpochMilli(3_600_000)).build();
    List<SinkRecord> batch = List.of(record("alerts.budget.v1", 0, threshold("b1", "bravo")),
        record("alerts.budget.v1", 1, threshold("a1", "acme")), record("alerts.capacity.v1", 0, zombie));
    int rounds = 0;
    while (true) {
      try {
        task.put(batch);
        break;
      } catch (RetriableException handedBack) {
        assertTrue(++rounds < 10, "a bounded number of retries");
      }
    }
    task.stop();
    assertEquals(3, rounds, "503, 503, 429: three batches handed back");
    assertEquals(List.of(10L, 20L, 1000L).size(), timeouts.size());
    assertTrue(timeouts.get(0) <= 10 && timeouts.get(1) <= 20, "full jitter under 10 x 2^attempt: " + timeouts);
    assertEquals(1000L, timeouts.get(2), "Retry-After: 1 is honoured");
    assertEquals(Set.of("b1", "z1"), Set.copyOf(deliveredIds), "each delivered, the acme one rejected");
    assertEquals(2, deliveredIds.size(), "none twice: the batch handed back skips what was delivered");
    assertEquals(1, reported.size());
    assertTrue(reported.get(0).contains("tenant acme's webhook rejected alert a1 (HTTP 400"), reported.get(0));
    assertTrue(!reported.get(0).contains("127.0.0.1"), "no URL in the reason: " + reported.get(0));
    JsonNode b1 = json(bodies.get(0));
    assertEquals("b1", b1.path("alert_id").asText());
    assertTrue(bodies.get(0).contains("\"amount_usd\":80.000000000"), "money in plain notation: " + bodies.get(0));
  }

  private static JsonNode json(String s) {
    try {
      return AlertBodies.JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static SinkTaskContext context(List<String> reported, List<Long> timeouts) {
    ErrantRecordReporter reporter = (record, error) -> {
      reported.add(error.getMessage());
      Future<Void> done = CompletableFuture.completedFuture(null);
      return done;
    };
    return new SinkTaskContext() {
      @Override
      public Map<String, String> configs() {
        return Map.of();
      }

      @Override
      public void offset(Map<TopicPartition, Long> offsets) {
      }

      @Override
      public void offset(TopicPartition tp, long offset) {
      }

      @Override
      public void timeout(long timeoutMs) {
        timeouts.add(timeoutMs);
      }

      @Override
      public Set<TopicPartition> assignment() {
        return Set.of();
      }

      @Override
      public void pause(TopicPartition... partitions) {
      }

      @Override
      public void resume(TopicPartition... partitions) {
      }

      @Override
      public void requestCommit() {
      }

      @Override
      public ErrantRecordReporter errantRecordReporter() {
        return reporter;
      }

      @Override
      public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        return null;
      }
    };
  }
}
