package io.marginflow.topology.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS for marginflow's HTTP servers (the query API under {@code http.}, the ingest gateway under {@code ingest.}): a
 * PEM certificate chain and PKCS#8 key ({@code <prefix>tls.certificate}, {@code <prefix>tls.key}) or a PKCS12 key
 * store ({@code <prefix>tls.keystore}, {@code <prefix>tls.keystore-password}). Everything is read and checked at
 * start-up, and a bad file fails there naming its key; no TLS setting, plain HTTP.
 */
public final class Tls {
  public static final String CERTIFICATE = "tls.certificate";
  public static final String KEY = "tls.key";
  public static final String KEYSTORE = "tls.keystore";
  public static final String KEYSTORE_PASSWORD = "tls.keystore-password";

  private Tls() {
  }

  /** Adds the four TLS keys under {@code prefix} to {@code d}. */
  public static ConfigDef define(ConfigDef d, String prefix, String server) {
    return d.define(prefix + CERTIFICATE, Type.STRING, "", Importance.HIGH, "PEM file with the " + server + "'s "
            + "certificate chain (server first); with " + prefix + KEY + ", the " + server + " speaks HTTPS only.")
        .define(prefix + KEY, Type.STRING, "", Importance.HIGH, "PEM file with the private key of " + prefix
            + CERTIFICATE + " (PKCS#8, unencrypted: -----BEGIN PRIVATE KEY-----).")
        .define(prefix + KEYSTORE, Type.STRING, "", Importance.HIGH, "PKCS12 file with the " + server + "'s key and "
            + "certificate chain, instead of the PEM files; the " + server + " speaks HTTPS only.")
        .define(prefix + KEYSTORE_PASSWORD, Type.PASSWORD, "", Importance.HIGH, "Password of " + prefix + KEYSTORE + ".");
  }

  /**
   * The server-side TLS of {@code c}'s {@code prefix} settings, read and checked now, or null when none is set.
   *
   * @throws ConfigException naming the setting that is incomplete, unreadable or wrong
   */
  public static SslContextFactory.Server server(AbstractConfig c, String prefix) {
    String cert = c.getString(prefix + CERTIFICATE).trim();
    String key = c.getString(prefix + KEY).trim();
    String keystore = c.getString(prefix + KEYSTORE).trim();
    Password password = c.getPassword(prefix + KEYSTORE_PASSWORD);
    if (cert.isEmpty() && key.isEmpty() && keystore.isEmpty()) {
      return null;
    }
    if (!keystore.isEmpty() && !(cert.isEmpty() && key.isEmpty())) {
      throw new ConfigException(prefix + KEYSTORE, keystore, "set either " + prefix + KEYSTORE + " or " + prefix
          + CERTIFICATE + " with " + prefix + KEY + ", not both");
    }
    KeyStore store;
    char[] storePassword;
    if (!keystore.isEmpty()) {
      storePassword = password.value().toCharArray();
      store = KeyMaterial.pkcs12(prefix, keystore, storePassword);
    } else {
      if (cert.isEmpty() || key.isEmpty()) {
        String missing = cert.isEmpty() ? prefix + CERTIFICATE : prefix + KEY;
        throw new ConfigException(missing, "", "needed with " + (cert.isEmpty() ? prefix + KEY : prefix + CERTIFICATE));
      }
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      storePassword = HexFormat.of().formatHex(random).toCharArray();
      store = KeyMaterial.pem(prefix, cert, key, storePassword);
    }
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(store);
    ssl.setKeyStorePassword(new String(storePassword));
    ssl.setKeyManagerPassword(new String(storePassword));
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    return ssl;
  }

  /** A connector speaking HTTPS with {@code ssl}, or plain HTTP when it is null. */
  public static ServerConnector connector(Server server, HttpConfiguration http, SslContextFactory.Server ssl) {
    if (ssl == null) {
      return new ServerConnector(server, new HttpConnectionFactory(http));
    }
    HttpConfiguration https = new HttpConfiguration(http);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // Clients reach a server by IP or by any of its names; the certificate's names are the client's check to make.
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);
    return new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
        new HttpConnectionFactory(https));
  }

  /**
   * A client context for one instance to call another over HTTPS: trusts every certificate of this server's own chain
   * (instances share a certificate, or certificates of one CA whose certificate is in the chain) and the JVM's CAs.
   */
  public static javax.net.ssl.SSLContext peerClient(SslContextFactory.Server server) {
    try {
      KeyStore own = server.getKeyStore();
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (String alias : java.util.Collections.list(own.aliases())) {
        Certificate[] chain = own.getCertificateChain(alias);
        for (Certificate c : chain == null ? new Certificate[0] : chain) {
          trusted.setCertificateEntry("peer-" + n++, c);
        }
      }
      javax.net.ssl.X509TrustManager ours = trustManager(trusted);
      javax.net.ssl.X509TrustManager jvm = trustManager(null);
      javax.net.ssl.X509TrustManager either = new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws
            java.security.cert.CertificateException {
          jvm.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws
            java.security.cert.CertificateException {
          try {
            ours.checkServerTrusted(chain, authType);
          } catch (java.security.cert.CertificateException e) {
            jvm.checkServerTrusted(chain, authType);
          }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return jvm.getAcceptedIssuers();
        }
      };
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {either}, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the client TLS context for other instances", e);
    }
  }

  private static javax.net.ssl.X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    javax.net.ssl.TrustManagerFactory f = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    for (javax.net.ssl.TrustManager m : f.getTrustManagers()) {
      if (m instanceof javax.net.ssl.X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X509 trust manager");
  }

  /** Whether {@code bindHost} is a loopback address (only this machine can connect). */
  public static boolean loopback(String bindHost) {
    try {
      return InetAddress.getByName(bindHost).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
