package io.marginflow.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.marginflow.registry.server.EmbeddedSchemaRegistry;
import io.marginflow.registry.store.SchemaStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client reaches a registry over TLS through the JDK, trusting a private CA from a trust store file. */
class TlsRegistryClientTest {
  private static final String PASSWORD = "changeit";

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }

  @Test
  void shouldTrustAPrivateCertificateFromATrustStore(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.crt");
    Path truststore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname",
        "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-keystore", keystore.toString(), "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-rfc", "-file",
        cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-keystore", truststore.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD);

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);

    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startTls("127.0.0.1", 0, new SchemaStore(), tls)) {
      SchemaRegistryClient trusting = new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(
          RegistryClientConfig.URL, registry.url(), RegistryClientConfig.TRUSTSTORE_LOCATION, truststore.toString(),
          RegistryClientConfig.TRUSTSTORE_PASSWORD, PASSWORD)));
      assertEquals(1, trusting.register("s", SchemaStoreTest.V1));

      SchemaRegistryClient jdkDefaults = new RestSchemaRegistryClient(RegistryClientConfig.from(Map.of(
          RegistryClientConfig.URL, registry.url())));
      RegistryException refused = assertThrows(RegistryException.class, () -> jdkDefaults.getById(1));
      assertEquals(RegistryException.UNREACHABLE, refused.errorCode(), "an untrusted certificate fails the handshake");
    }
  }
}
