package io.marginflow.topology.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads and checks a TLS server's key material at start-up: a PKCS12 key store, or a PEM certificate chain and PKCS#8
 * key (the key must be the first certificate's). A file that cannot serve fails naming its setting.
 */
final class KeyMaterial {
  private static final Pattern PEM_KEY = Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----([^-]*)-----END");

  private KeyMaterial() {
  }

  static KeyStore pkcs12(String prefix, String file, char[] password) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      for (String alias : java.util.Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          try {
            ks.getKey(alias, password);
          } catch (java.security.UnrecoverableKeyException e) {
            throw new ConfigException(prefix + Tls.KEYSTORE_PASSWORD, "<hidden>", "opens " + file + " but not its key "
                + alias + " (the key's password must be the store's)");
          }
          Certificate leaf = ks.getCertificate(alias);
          if (leaf instanceof X509Certificate x) {
            try {
              x.checkValidity();
            } catch (java.security.cert.CertificateException e) {
              throw new ConfigException(prefix + Tls.KEYSTORE, file, "holds a certificate that is not valid now: " + e);
            }
          }
          return ks;
        }
      }
      throw new ConfigException(prefix + Tls.KEYSTORE, file, "holds no private key entry");
    } catch (IOException e) {
      if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
        throw new ConfigException(prefix + Tls.KEYSTORE_PASSWORD, "<hidden>", "does not open " + file);
      }
      throw new ConfigException(prefix + Tls.KEYSTORE, file, "cannot be read as PKCS12: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new ConfigException(prefix + Tls.KEYSTORE, file, "cannot be read as PKCS12: " + e.getMessage());
    }
  }

  static KeyStore pem(String prefix, String certFile, String keyFile, char[] password) {
    List<X509Certificate> chain = certificates(prefix + Tls.CERTIFICATE, certFile);
    PrivateKey key = privateKey(prefix + Tls.KEY, keyFile);
    X509Certificate leaf = chain.get(0);
    if (!matches(leaf, key)) {
      throw new ConfigException(prefix + Tls.KEY, keyFile, "is not the key of the first certificate in " + certFile
          + " (" + leaf.getSubjectX500Principal() + ")");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(prefix + Tls.KEY, keyFile, "cannot be used with " + certFile + ": " + e.getMessage());
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
