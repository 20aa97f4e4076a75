package io.marginflow.ops.demo;

import io.marginflow.schemas.Ids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.marginflow.connectors.alerts.AlertBodies;
import io.marginflow.connectors.alerts.AlertWebhookConfig;
import io.marginflow.connectors.alerts.AlertWebhookSinkConnector;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.query.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's alert delivery, the way production delivers alerts: the {@link AlertWebhookSinkConnector} on a standalone
 * Kafka Connect worker (in-process) reads {@code alerts.budget.v1} and {@code alerts.capacity.v1} and POSTs each alert
 * to a webhook. Unless the user gives a URL of their own, the webhook is a small receiver on loopback that prints every
 * alert it gets as it comes, and drops repeats by the {@code Idempotency-Key} header as a real receiver should.
 */
final class DemoWebhooks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoWebhooks.class);
  static final String CONNECTOR = "marginflow-alerts-webhook";

  private final HttpServer receiver;

  private DemoWebhooks(HttpServer receiver) {
    this.receiver = receiver;
  }

  /** Starts the receiver (when {@code targetUrl} is null) and the connector on {@code connect}. */
  static DemoWebhooks start(Connect<StandaloneHerder> connect, String registryUrl, Topics topics, String targetUrl,
      PrintStream out) throws Exception {
    HttpServer receiver = null;
    String url = targetUrl;
    if (url == null) {
      receiver = receiver(out);
      url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts";
    }
    try {
      StandaloneWorker.startConnector(connect, connector(registryUrl, topics, url));
      return new DemoWebhooks(receiver);
    } catch (Exception e) {
      if (receiver != null) {
        receiver.stop(0);
      }
      throw e;
    }
  }

  /** The demo's standalone Connect worker, in-process; {@code dir} holds its source offsets file. */
  static Connect<StandaloneHerder> startWorker(Path dir, String bootstrapServers) throws IOException {
    return StandaloneWorker.start(StandaloneWorker.settings(bootstrapServers, dir.resolve("connect.offsets"),
        "http://127.0.0.1:0"));
  }

  static Map<String, String> connector(String registryUrl, Topics topics, String url) {
    Map<String, String> c = new HashMap<>();
    c.put("name", CONNECTOR);
    c.put("connector.class", AlertWebhookSinkConnector.class.getName());
    c.put("tasks.max", "1");
    c.put("topics", topics.alertsBudget() + "," + topics.alertsCapacity());
    // Alerts are committed by the pipeline's transactions: deliver only committed ones, from the beginning.
    c.put("consumer.override.auto.offset.reset", "earliest");
    c.put("consumer.override.isolation.level", "read_committed");
    // Deliver within a few hundred milliseconds of the commit rather than the consumer's default batching.
    c.put("consumer.override.fetch.max.wait.ms", "100");
    c.put(AlertWebhookConfig.REGISTRY_URL, registryUrl);
    c.put(AlertWebhookConfig.FORMAT, "json");
    c.put(AlertWebhookConfig.URL, url);
    c.put(AlertWebhookConfig.BACKOFF_INITIAL, "200");
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", "alerts.webhook.dlq");
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    return c;
  }

  private static HttpServer receiver(PrintStream out) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    server.createContext("/alerts", ex -> {
      try (ex) {
        byte[] body = ex.getRequestBody().readAllBytes();
        String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        if (!"POST".equals(ex.getRequestMethod()) || key == null) {
          respond(ex, 400);
          return;
        }
        if (seen.add(key)) {
          out.println(Ids.escaped(line(Json.MAPPER.readTree(body))));
          out.flush();
        }
        respond(ex, 200);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Demo webhook receiver could not read an alert", e);
      }
    });
    server.start();
    return server;
  }

  /** One printed line per alert: when it arrived, and the same summary a Slack or PagerDuty body carries. */
  static String line(JsonNode alert) {
    String summary = alert instanceof ObjectNode o ? AlertBodies.summary(o) : alert.toString();
    return "webhook " + Instant.now().toString().substring(11, 19) + "  " + summary;
  }

  private static void respond(HttpExchange ex, int status) throws IOException {
    ex.sendResponseHeaders(status, -1);
  }

  @Override
  public void close() {
    if (receiver != null) {
      receiver.stop(0);
    }
  }
}
