package io.marginflow.testing;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private CA and a server certificate it signed for localhost and 127.0.0.1, made for a test: the server's PEM
 * chain and PKCS#8 key, the same as a PKCS12 file, the CA's PEM, and a client context that trusts the CA.
 */
public record TestCertificates(Path chainPem, Path keyPem, Path pkcs12, String password, Path caPem, byte[] caPemBytes,
    SSLContext clientTrust, KeyPair serverKeys, X509Certificate server, X509Certificate ca) {

  /** Issues a fresh CA and server certificate into {@code dir}. */
  public static TestCertificates issue(Path dir) throws Exception {
    Files.createDirectories(dir);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(256);
    KeyPair caKeys = ec.generateKeyPair();
    KeyPair serverKeys = ec.generateKeyPair();
    Instant now = Instant.now();
    X500Name caName = new X500Name("CN=marginflow test CA");
    X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE,
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), caName, caKeys.getPublic());
    caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate ca = sign(caBuilder, caKeys);
    X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO,
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=localhost"),
        serverKeys.getPublic());
    serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    serverBuilder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    X509Certificate server = sign(serverBuilder, caKeys);

    Path chainPem = dir.resolve("server-chain.pem");
    Files.writeString(chainPem, pem("CERTIFICATE", server.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()));
    Path keyPem = dir.resolve("server-key.pem");
    Files.writeString(keyPem, pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
    Path caPem = dir.resolve("ca.pem");
    Files.writeString(caPem, pem("CERTIFICATE", ca.getEncoded()));
    String password = "test-keystore-password";
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(null, null);
    p12.setKeyEntry("server", serverKeys.getPrivate(), password.toCharArray(), new Certificate[] {server, ca});
    Path pkcs12 = dir.resolve("server.p12");
    try (OutputStream out = Files.newOutputStream(pkcs12)) {
      p12.store(out, password.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return new TestCertificates(chainPem, keyPem, pkcs12, password, caPem,
        Files.readString(caPem).getBytes(StandardCharsets.US_ASCII), client, serverKeys, server, ca);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
        .build(signer.getPrivate())));
  }

  /** {@code der} as a PEM block of {@code type}. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
