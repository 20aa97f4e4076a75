package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/** Asks another instance: the same API, the caller's own token, a marker that stops forwarding loops. */
final class Forwarder {
  static final String FORWARDED = "X-Marginflow-Forwarded";
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  JsonNode get(HostInfo host, String pathAndQuery, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(15)).header(FORWARDED, "1").GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() / 100 != 2) {
        throw new ApiError(r.statusCode(), body.path("error").asText("instance " + host + " answered " + r.statusCode()),
            r.statusCode() == 503 ? 1 : 0);
      }
      return body;
    } catch (IOException e) {
      throw ApiError.unavailable("instance " + host + " is unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.unavailable("interrupted");
    }
  }
}
