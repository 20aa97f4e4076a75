package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.LoggerFactory;

/**
 * Finds which instance owns a key (503 while a rebalance leaves it unknown) and asks it: the same API, the caller's own
 * token, a marker that stops forwarding loops.
 */
final class Forwarder {
  static final String FORWARDED = "X-Marginflow-Forwarded";
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HttpClient http;
  private volatile long lastWarnMs;
  private final String scheme;

  /** Over plain HTTP, or over HTTPS with {@code tls} (null: plain), as this instance's own server speaks. */
  Forwarder(javax.net.ssl.SSLContext tls) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    this.http = (tls == null ? b : b.sslContext(tls)).build();
    this.scheme = tls == null ? "http://" : "https://";
  }

  JsonNode get(HostInfo host, String pathAndQuery, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + host.host() + ":" + host.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(15)).header(FORWARDED, "1").GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() / 100 != 2) {
        throw new ApiError(r.statusCode(), body.path("error").asText("instance " + name(host) + " answered "
            + r.statusCode()),
            r.statusCode() == 503 ? 1 : 0);
      }
      return body;
    } catch (IOException e) {
      // WARN (at most every 30 s): an untrusted certificate or a wrong host name between instances looks like this.
      long now = System.currentTimeMillis();
      if (now - lastWarnMs > 30_000) {
        lastWarnMs = now;
        LoggerFactory.getLogger(Forwarder.class).warn("Forwarding to {} failed: {}", name(host), e.toString());
      }
      throw ApiError.unavailable("instance " + name(host) + " that holds this key is unreachable; retry");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.unavailable("interrupted");
    }
  }

  /** host:port, as clients know an instance. */
  static String name(HostInfo host) {
    return host.host() + ":" + host.port();
  }

  /** Where a key lives: this instance (empty) or another one; 503 while unknown. */
  static KeyQueryMetadata owner(KafkaStreams streams, String store, String key) {
    KeyQueryMetadata m = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
    if (m == null || m == KeyQueryMetadata.NOT_AVAILABLE || m.activeHost() == null) {
      throw ApiError.unavailable("no instance owns " + key + " right now (rebalancing)");
    }
    return m;
  }

  /** The owner's answer to {@code r}, or null when {@code self} owns the key. */
  JsonNode unlessOwned(KeyQueryMetadata m, HostInfo self, Request r) {
    if (m.activeHost().equals(self)) {
      return null;
    }
    if (r.forwarded()) {
      throw ApiError.unavailable("ownership of this key is moving between instances");
    }
    return get(m.activeHost(), r.pathAndQuery(), r.authorization());
  }
}
