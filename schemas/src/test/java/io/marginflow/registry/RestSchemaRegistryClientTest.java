package io.marginflow.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marginflow.registry.server.EmbeddedSchemaRegistry;
import io.marginflow.registry.store.SchemaStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {
  private EmbeddedSchemaRegistry registry;

  @BeforeEach
  void start() throws IOException {
    registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, new SchemaStore());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private SchemaRegistryClient client() {
    return new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, registry.url())));
  }

  @Test
  void shouldRegisterLookUpAndFetchOverHttp() {
    SchemaRegistryClient client = client();
    int id = client.register("orders-value", SchemaStoreTest.V1);
    assertEquals(id, client.register("orders-value", SchemaStoreTest.V1));
    assertEquals(SchemaStoreTest.V1, client.getById(id));
    RegisteredSchema found = client.lookup("orders-value", SchemaStoreTest.V1);
    assertEquals(new RegisteredSchema("orders-value", 1, id, SchemaStoreTest.V1), found);
    int v2 = client.register("orders-value", SchemaStoreTest.V2);
    assertEquals(2, client.latest("orders-value").version());
    assertEquals(v2, client.latest("orders-value").id());
    assertTrue(client.isCompatible("new-subject", SchemaStoreTest.BREAKING));
    assertFalse(client.isCompatible("orders-value", SchemaStoreTest.BREAKING));
  }

  @Test
  void shouldSurfaceTheRegistryErrorCodes() {
    SchemaRegistryClient client = client();
    assertEquals(RegistryException.SCHEMA_NOT_FOUND,
        assertThrows(RegistryException.class, () -> client.getById(99)).errorCode());
    assertEquals(RegistryException.SUBJECT_NOT_FOUND,
        assertThrows(RegistryException.class, () -> client.latest("missing")).errorCode());
    client.register("s", SchemaStoreTest.V1);
    assertEquals(RegistryException.SCHEMA_NOT_FOUND,
        assertThrows(RegistryException.class, () -> client.lookup("s", SchemaStoreTest.V2)).errorCode());
    RegistryException conflict = assertThrows(RegistryException.class, () -> client.register("s", SchemaStoreTest.BREAKING));
    assertEquals(409, conflict.httpStatus());
    assertTrue(conflict.getMessage().contains("incompatible"), conflict.getMessage());
  }

  @Test
  void shouldAnswerRawRestCallsLikeConfluent() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String body = "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}";
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/k-key/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, created.statusCode());
    assertEquals("{\"id\":1}", created.body());
    JsonNode version = new ObjectMapper().readTree(get(http, "/subjects/k-key/versions/1").body());
    assertEquals("k-key", version.get("subject").asText());
    assertEquals("\"string\"", version.get("schema").asText());
    assertEquals("[\"k-key\"]", get(http, "/subjects").body());
    assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", get(http, "/config").body());
    HttpResponse<String> missing = get(http, "/subjects/nope/versions");
    assertEquals(404, missing.statusCode());
    assertEquals(40401, new ObjectMapper().readTree(missing.body()).get("error_code").asInt());
    HttpResponse<String> badLevel = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/config"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"SIDEWAYS\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(42203, new ObjectMapper().readTree(badLevel.body()).get("error_code").asInt());
  }

  private HttpResponse<String> get(HttpClient http, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldSendBasicAndBearerCredentials() throws IOException {
    String basic = "Basic " + Base64.getEncoder().encodeToString("sr-user:s3cret".getBytes(StandardCharsets.UTF_8));
    try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.start("127.0.0.1", 0, new SchemaStore(),
        Set.of(basic, "Bearer tok-1"))) {
      SchemaRegistryClient anonymous = new RestSchemaRegistryClient(RegistryClientConfig.from(
          Map.of(RegistryClientConfig.URL, secured.url())));
      RegistryException denied = assertThrows(RegistryException.class, () -> anonymous.register("s", SchemaStoreTest.V1));
      assertEquals(RegistryException.UNAUTHORIZED, denied.errorCode());
      assertEquals(401, denied.httpStatus());

      SchemaRegistryClient withBasic = new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(
          RegistryClientConfig.URL, secured.url(), RegistryClientConfig.BASIC_SOURCE, "USER_INFO",
          RegistryClientConfig.BASIC_USER_INFO, "sr-user:s3cret")));
      int id = withBasic.register("s", SchemaStoreTest.V1);
      SchemaRegistryClient withBearer = new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(
          RegistryClientConfig.URL, secured.url(), RegistryClientConfig.BEARER_SOURCE, "STATIC_TOKEN",
          RegistryClientConfig.BEARER_TOKEN, "tok-1")));
      assertEquals(SchemaStoreTest.V1, withBearer.getById(id));
    }
  }

  @Test
  void shouldFailOverToTheNextUrlWhenOneIsDown() throws IOException {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    SchemaRegistryClient client = new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(
        RegistryClientConfig.URL, "http://127.0.0.1:" + deadPort + "," + registry.url())));
    assertEquals(1, client.register("s", SchemaStoreTest.V1));
  }

  @Test
  void shouldReportUnreachableRegistryClearly() throws IOException {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    SchemaRegistryClient client = new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(
        RegistryClientConfig.URL, "http://127.0.0.1:" + deadPort)));
    RegistryException e = assertThrows(RegistryException.class, () -> client.getById(1));
    assertEquals(RegistryException.UNREACHABLE, e.errorCode());
    assertTrue(e.getMessage().contains("No schema registry reachable"), e.getMessage());
  }

  @Test
  void shouldRejectBadSettingsNamingTheKey() {
    ConfigException noUrl = assertThrows(ConfigException.class, () -> RegistryClientConfig.from(Map.of()));
    assertTrue(noUrl.getMessage().contains(RegistryClientConfig.URL), noUrl.getMessage());
    ConfigException badScheme = assertThrows(ConfigException.class,
        () -> RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "ftp://x")));
    assertTrue(badScheme.getMessage().contains(RegistryClientConfig.URL));
    ConfigException badUser = assertThrows(ConfigException.class, () -> RegistryClientConfig.from(Map.of(
        RegistryClientConfig.URL, "http://x", RegistryClientConfig.BASIC_USER_INFO, "nocolon")));
    assertTrue(badUser.getMessage().contains(RegistryClientConfig.BASIC_USER_INFO));
  }
}
