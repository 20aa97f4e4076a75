package io.marginflow.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A client for Confluent's documented Schema Registry REST API over the JDK HTTP client (TLS through the JDK). */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
  private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryClientConfig config;
  private final HttpClient http;

  public RestSchemaRegistryClient(RegistryClientConfig config) {
    this.config = config;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.requestTimeout());
    if (config.sslContext() != null) {
      builder.sslContext(config.sslContext());
    }
    this.http = builder.build();
  }

  @Override
  public int register(String subject, Schema schema) {
    return call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema)).get("id").asInt();
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    return registered(call("POST", "/subjects/" + encode(subject), schemaBody(schema)));
  }

  @Override
  public Schema getById(int id) {
    return new Schema.Parser().parse(call("GET", "/schemas/ids/" + id, null).get("schema").asText());
  }

  @Override
  public RegisteredSchema latest(String subject) {
    return registered(call("GET", "/subjects/" + encode(subject) + "/versions/latest", null));
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    try {
      return call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema))
          .path("is_compatible").asBoolean(false);
    } catch (RegistryException e) {
      if (e.errorCode() == RegistryException.SUBJECT_NOT_FOUND || e.errorCode() == RegistryException.VERSION_NOT_FOUND) {
        return true;
      }
      throw e;
    }
  }

  private static RegisteredSchema registered(JsonNode node) {
    return new RegisteredSchema(node.get("subject").asText(), node.get("version").asInt(), node.get("id").asInt(),
        new Schema.Parser().parse(node.get("schema").asText()));
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Sends the request to each configured URL in turn until one answers; HTTP errors are not retried. */
  JsonNode call(String method, String path, String body) {
    IOException last = null;
    for (URI base : config.urls()) {
      HttpRequest request = request(base, method, path, body);
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return parse(response);
      } catch (IOException e) {
        LOG.warn("Schema registry {} unreachable for {} {}: {}", base, method, path, e.toString());
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(-1, RegistryException.UNREACHABLE, "Interrupted calling the schema registry", e);
      }
    }
    throw new RegistryException(-1, RegistryException.UNREACHABLE,
        "No schema registry reachable at " + config.urls() + " for " + method + " " + path, last);
  }

  private HttpRequest request(URI base, String method, String path, String body) {
    String root = base.toString().replaceAll("/+$", "");
    if (base.getUserInfo() != null) {
      root = root.replace(base.getUserInfo() + "@", "");
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(config.requestTimeout())
        .header("Accept", ACCEPT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      b.header("Content-Type", CONTENT_TYPE);
    }
    if (config.authorization() != null) {
      b.header("Authorization", config.authorization());
    }
    return b.build();
  }

  private static JsonNode parse(HttpResponse<String> response) {
    JsonNode node;
    try {
      node = response.body() == null || response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      node = null;
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300 && node != null) {
      return node;
    }
    int code = node != null && node.has("error_code") ? node.get("error_code").asInt() : status;
    String message = node != null && node.has("message") ? node.get("message").asText() : String.valueOf(response.body());
    throw new RegistryException(status, code, message);
  }
}
