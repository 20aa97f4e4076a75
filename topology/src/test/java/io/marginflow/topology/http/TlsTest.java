package io.marginflow.topology.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.testing.TestCertificates;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.query.QueryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query API over HTTPS with a certificate this test issues: PEM and PKCS12; bad files fail naming the setting. */
class TlsTest {
  private static MarginflowConfig config(Map<String, String> tls) {
    return MarginflowConfig.of(tls);
  }

  private static int getOverHttps(QueryServer server, TestCertificates certs, String host) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(certs.clientTrust()).build();
    return client.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + server.port() + "/health/live")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void shouldServeHttpsWithAPemChainAndKeyAndRefusePlainHttp(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.issue(dir);
    var tls = Tls.server(config(Map.of("http.tls.certificate", certs.chainPem().toString(), "http.tls.key",
        certs.keyPem().toString())), "http.");
    try (QueryServer server = QueryServer.bind("127.0.0.1", 0, tls)) {
      assertEquals(200, getOverHttps(server, certs, "localhost"));
      assertEquals(200, getOverHttps(server, certs, "127.0.0.1"));
      HttpClient untrusting = HttpClient.newHttpClient();
      assertThrows(java.io.IOException.class, () -> untrusting.send(HttpRequest.newBuilder(URI.create("https://localhost:"
          + server.port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()), "an unknown CA is refused");
      boolean plainFailed;
      try {
        int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        plainFailed = status != 200;
      } catch (java.io.IOException e) {
        plainFailed = true;
      }
      assertTrue(plainFailed, "plain HTTP to the TLS port must not be served");
    }
  }

  @Test
  void shouldServeHttpsWithAPkcs12KeyStore(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.issue(dir);
    var tls = Tls.server(config(Map.of("http.tls.keystore", certs.pkcs12().toString(), "http.tls.keystore-password",
        certs.password())), "http.");
    try (QueryServer server = QueryServer.bind("127.0.0.1", 0, tls)) {
      assertEquals(200, getOverHttps(server, certs, "localhost"));
    }
  }

  @Test
  void shouldFailAtStartUpNamingTheSetting(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.issue(dir);
    TestCertificates other = TestCertificates.issue(dir.resolve("other"));
    assertNull(Tls.server(config(Map.of()), "http."), "no TLS setting: plain HTTP");
    assertFails("http.tls.keystore-password", Map.of("http.tls.keystore", certs.pkcs12().toString(),
        "http.tls.keystore-password", "wrong"));
    assertFails("http.tls.keystore", Map.of("http.tls.keystore", dir.resolve("missing.p12").toString()));
    assertFails("http.tls.key", Map.of("http.tls.certificate", certs.chainPem().toString()));
    assertFails("http.tls.key", Map.of("http.tls.certificate", certs.chainPem().toString(), "http.tls.key",
        other.keyPem().toString()));
    Path pkcs1 = dir.resolve("rsa.pem");
    Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    ConfigException e = assertFails("http.tls.key", Map.of("http.tls.certificate", certs.chainPem().toString(),
        "http.tls.key", pkcs1.toString()));
    assertTrue(e.getMessage().contains("openssl pkcs8"), e.getMessage());
    assertFails("http.tls.certificate", Map.of("http.tls.certificate", certs.keyPem().toString(), "http.tls.key",
        certs.keyPem().toString()));
    assertFails("http.tls.keystore", Map.of("http.tls.keystore", certs.pkcs12().toString(), "http.tls.certificate",
        certs.chainPem().toString(), "http.tls.key", certs.keyPem().toString()));
  }

  private static ConfigException assertFails(String key, Map<String, String> settings) {
    ConfigException e = assertThrows(ConfigException.class, () -> Tls.server(config(new HashMap<>(settings)), "http."));
    assertTrue(e.getMessage().contains(key), key + " named in: " + e.getMessage());
    return e;
  }
}
