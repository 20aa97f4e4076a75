package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.marginflow.avro.AlertMetric;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.CapacityAlertKind;
import io.marginflow.connectors.alerts.AlertWebhookSinkConnector;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.Topics;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert webhook sink on a real Kafka Connect worker (standalone, in-process) against the embedded broker and
 * registry, delivering to a local HTTP server that fails the first attempts with 503, then 429 with Retry-After: 1, and
 * rejects tenant acme's endpoint with 400: every other alert arrives (none twice by its Idempotency-Key), the rejected
 * one is in the connector's dead-letter queue with the reason.
 */
@WithKafkaStack
@org.junit.jupiter.api.Tag("connect")
class AlertWebhookConnectIT {

  @Test
  void shouldDeliverEveryAlertAndDeadLetterTheRejectedOne(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    Topics topics = Topics.defaults();
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/default", ex -> {
      ex.getRequestBody().readAllBytes();
      int n = calls.incrementAndGet();
      int status = n <= 2 ? 503 : n == 3 ? 429 : 200;
      if (status == 429) {
        ex.getResponseHeaders().add("Retry-After", "1");
      }
      if (status == 200) {
        received.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.createContext("/acme", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.sendResponseHeaders(400, -1);
      ex.close();
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    produce(kafka, topics.alertsBudget(), "bravo", budgetAlert("b1", "bravo"));
    produce(kafka, topics.alertsBudget(), "acme", budgetAlert("a1", "acme"));
    produce(kafka, topics.alertsCapacity(), "node-7", zombie("z1"));

    Map<String, String> worker = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "offset.storage.file.filename", dir.resolve("connect.offsets").toString(),
        "key.converter", "org.apache.kafka.connect.storage.StringConverter",
        "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
        "listeners", "http://127.0.0.1:0", "plugin.discovery", "service_load", "offset.flush.interval.ms", "500"));
    Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(worker);
    try {
      Map<String, String> sink = new HashMap<>();
      sink.put("name", "alerts-webhook");
      sink.put("connector.class", AlertWebhookSinkConnector.class.getName());
      sink.put("tasks.max", "1");
      sink.put("topics", topics.alertsBudget() + "," + topics.alertsCapacity());
      sink.put("consumer.override.auto.offset.reset", "earliest");
      sink.put("schema.registry.url", kafka.registryUrl());
      sink.put("webhook.url", base + "/default");
      sink.put("webhook.tenant.urls", "acme=" + base + "/acme");
      sink.put("retry.backoff.initial.ms", "100");
      sink.put("errors.tolerance", "all");
      sink.put("errors.deadletterqueue.topic.name", "alerts.webhook.dlq");
      sink.put("errors.deadletterqueue.topic.replication.factor", "1");
      sink.put("errors.deadletterqueue.context.headers.enable", "true");
      FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
      connect.herder().putConnectorConfig("alerts-webhook", sink, false, created);
      created.get();

      Records.await(Duration.ofSeconds(60), "b1 and z1 delivered", () -> Set.copyOf(received).containsAll(Set.of("b1", "z1")));
      Records.await(Duration.ofSeconds(60), "a1 in the dead-letter queue", () -> !dlq(kafka).isEmpty());
      List<ConsumerRecord<byte[], byte[]>> dead = dlq(kafka);
      assertEquals(1, dead.size());
      String reason = new String(dead.get(0).headers().lastHeader("__connect.errors.exception.message").value(),
          StandardCharsets.UTF_8);
      assertTrue(reason.contains("tenant acme's webhook rejected alert a1 (HTTP 400"), reason);
      assertTrue(!reason.contains("127.0.0.1"), "the URL is not in the reason: " + reason);
      assertEquals(Set.of("b1", "z1"), Set.copyOf(received), "every other alert arrived, after dedup by key");
      assertTrue(calls.get() >= 5, "503, 503 and 429 came first: " + calls.get() + " calls");
    } finally {
      connect.stop();
      connect.awaitStop();
      server.stop(0);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> dlq(KafkaStack kafka) {
    return Records.readToEnd(kafka.consumerConfig("dlq-reader"), "alerts.webhook.dlq", Duration.ofSeconds(5),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void produce(KafkaStack kafka, String topic, String key, SpecificRecord value) throws Exception {
    ConfluentAvroSerializer<SpecificRecord> s = new ConfluentAvroSerializer<>();
    s.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topic, key, s.serialize(topic, value))).get();
    }
  }

  private static BudgetAlert budgetAlert(String id, String tenant) {
    return BudgetAlert.newBuilder().setAlertId(id).setKind(BudgetAlertKind.THRESHOLD).setTenantId(tenant)
        .setMetric(AlertMetric.SPEND).setPeriodStartMs(Instant.ofEpochMilli(0)).setPeriodEndMs(Instant.ofEpochMilli(86_400_000))
        .setAmountUsd(new BigDecimal("80.000000000")).setLimitUsd(new BigDecimal("100.000000000")).setThreshold(0.8)
        .setObservedAtMs(Instant.ofEpochMilli(1_000)).build();
  }

  private static CapacityAlert zombie(String id) {
    return CapacityAlert.newBuilder().setAlertId(id).setKind(CapacityAlertKind.ZOMBIE_NODE).setNodeId("node-7")
        .setWindowStartMs(Instant.ofEpochMilli(0)).setWindowEndMs(Instant.ofEpochMilli(3_600_000))
        .setNodeCostUsd(new BigDecimal("9.689819760")).setIdleCostUsd(new BigDecimal("9.528322764")).setIdleShare(59.0 / 60)
        .setObservedAtMs(Instant.ofEpochMilli(3_600_000)).build();
  }
}
