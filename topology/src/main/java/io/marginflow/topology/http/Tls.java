package io.marginflow.topology.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Pattern PEM_KEY = Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----([^-]*)-----END");

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
      store = pkcs12(prefix, keystore, storePassword);
    } else {
      if (cert.isEmpty() || key.isEmpty()) {
        String missing = cert.isEmpty() ? prefix + CERTIFICATE : prefix + KEY;
        throw new ConfigException(missing, "", "needed with " + (cert.isEmpty() ? prefix + KEY : prefix + CERTIFICATE));
      }
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      storePassword = HexFormat.of().formatHex(random).toCharArray();
      store = pem(prefix, cert, key, storePassword);
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

  private static KeyStore pkcs12(String prefix, String file, char[] password) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      for (String alias : java.util.Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          try {
            ks.getKey(alias, password);
          } catch (java.security.UnrecoverableKeyException e) {
            throw new ConfigException(prefix + KEYSTORE_PASSWORD, "<hidden>", "opens " + file + " but not its key "
                + alias + " (the key's password must be the store's)");
          }
          Certificate leaf = ks.getCertificate(alias);
          if (leaf instanceof X509Certificate x) {
            try {
              x.checkValidity();
            } catch (java.security.cert.CertificateException e) {
              throw new ConfigException(prefix + KEYSTORE, file, "holds a certificate that is not valid now: " + e);
            }
          }
          return ks;
        }
      }
      throw new ConfigException(prefix + KEYSTORE, file, "holds no private key entry");
    } catch (IOException e) {
      if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
        throw new ConfigException(prefix + KEYSTORE_PASSWORD, "<hidden>", "does not open " + file);
      }
      throw new ConfigException(prefix + KEYSTORE, file, "cannot be read as PKCS12: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new ConfigException(prefix + KEYSTORE, file, "cannot be read as PKCS12: " + e.getMessage());
    }
  }

  private static KeyStore pem(String prefix, String certFile, String keyFile, char[] password) {
    List<X509Certificate> chain = certificates(prefix + CERTIFICATE, certFile);
    PrivateKey key = privateKey(prefix + KEY, keyFile);
    X509Certificate leaf = chain.get(0);
    if (!matches(leaf, key)) {
      throw new ConfigException(prefix + KEY, keyFile, "is not the key of the first certificate in " + certFile
          + " (" + leaf.getSubjectX500Principal() + ")");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(prefix + KEY, keyFile, "cannot be used with " + certFile + ": " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(String setting, String file) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (read.isEmpty()) {
        throw new ConfigException(setting, file, "holds no PEM certificate");
      }
      List<X509Certificate> chain = read.stream().map(X509Certificate.class::cast).toList();
      chain.get(0).checkValidity();
      return chain;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(setting, file, "cannot be read as a PEM certificate chain: " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(String setting, String file) {
    String text;
    try {
      text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException(setting, file, "cannot be read: " + e);
    }
    Matcher m = PEM_KEY.matcher(text);
    if (!m.find()) {
      throw new ConfigException(setting, file, "holds no PEM private key");
    }
    if (!m.group(1).isEmpty()) {
      throw new ConfigException(setting, file, "holds a " + m.group(1).trim() + " private key; a PKCS#8 unencrypted key "
          + "is needed (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new ConfigException(setting, file, "holds a private key of no supported algorithm (RSA, EC, EdDSA)");
  }

  /** Whether {@code key} is the private half of {@code cert}'s public key: a signature one verifies with the other. */
  private static boolean matches(X509Certificate cert, PrivateKey key) {
    if (!cert.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
      return false;
    }
    if (cert.getPublicKey() instanceof RSAPublicKey pub && key instanceof RSAPrivateCrtKey priv) {
      return pub.getModulus().equals(priv.getModulus());
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448" -> key.getAlgorithm();
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] probe = "marginflow key check".getBytes(StandardCharsets.US_ASCII);
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
