package io.marginflow.ops.connect;

import io.marginflow.topology.query.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;

/**
 * A distributed Kafka Connect worker in this process: workers started with the same {@code group.id} share the
 * connectors' tasks and move them to one another when a worker joins, leaves or dies; connector settings, offsets and
 * task states live in three topics named after the group. Connectors are submitted over the REST API, which forwards
 * to the group's leader.
 */
public final class DistributedWorker {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DistributedWorker() {
  }

  /**
   * The settings of a worker in group {@code groupId}: storage topics {@code <group>-configs}, {@code -offsets} and
   * {@code -status} at the brokers' default replication; {@code listeners} is the REST API's.
   */
  public static Map<String, String> settings(String bootstrapServers, String groupId, String listeners) {
    Map<String, String> w = StandaloneWorker.common(bootstrapServers, listeners);
    w.put("group.id", groupId);
    w.put("config.storage.topic", groupId + "-configs");
    w.put("offset.storage.topic", groupId + "-offsets");
    w.put("status.storage.topic", groupId + "-status");
    for (String store : new String[] {"config", "offset", "status"}) {
      w.put(store + ".storage.replication.factor", "-1");
    }
    return w;
  }

  /** Starts a worker with {@code settings}; it joins its group in the background. */
  public static Connect<DistributedHerder> start(Map<String, String> settings) {
    return new ConnectDistributed().startConnect(settings);
  }

  /**
   * Creates or updates the connector {@code config} names through {@code connect}'s REST API, retrying while the
   * group forms or rebalances (409) until {@code timeout}; leaves it be when the group already runs it with these very
   * settings (every worker of a group starts with the same connectors: re-submitting would restart them each time).
   */
  public static void putConnector(Connect<DistributedHerder> connect, Map<String, String> config, Duration timeout)
      throws IOException, InterruptedException {
    URI uri = connect.rest().advertisedUrl().resolve("connectors/" + config.get("name") + "/config");
    HttpResponse<String> current = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (current.statusCode() == 200 && Json.MAPPER.readValue(current.body(), Map.class).equals(config)) {
      return;
    }
    HttpRequest put = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type",
        "application/json").PUT(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(config))).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      HttpResponse<String> response = HTTP.send(put, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return;
      }
      boolean retry = response.statusCode() == 409 || response.statusCode() >= 500;
      if (!retry || System.nanoTime() > deadline) {
        throw new IOException("connector " + config.get("name") + " not accepted by " + uri + ": HTTP "
            + response.statusCode() + " " + response.body());
      }
      TimeUnit.MILLISECONDS.sleep(500); // backoff between attempts against a group still forming
    }
  }
}
