package io.marginflow.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * Registry connection settings, named as in Confluent's serdes so existing configs carry over.
 *
 * <p>{@code schema.registry.url} (comma-separated, tried in order), {@code basic.auth.credentials.source}
 * (USER_INFO or URL) with {@code basic.auth.user.info}, {@code bearer.auth.credentials.source=STATIC_TOKEN}
 * with {@code bearer.auth.token}, {@code schema.registry.ssl.truststore.location|password|type} for a private
 * CA (otherwise the JDK's trust store), {@code schema.registry.request.timeout.ms}.
 */
public final class RegistryClientConfig {
  public static final String URL = "schema.registry.url";
  public static final String BASIC_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_USER_INFO = "basic.auth.user.info";
  public static final String BEARER_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_TOKEN = "bearer.auth.token";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";

  private final List<URI> urls;
  private final String authorization;
  private final SSLContext sslContext;
  private final Duration requestTimeout;

  private RegistryClientConfig(List<URI> urls, String authorization, SSLContext sslContext, Duration requestTimeout) {
    this.urls = urls;
    this.authorization = authorization;
    this.sslContext = sslContext;
    this.requestTimeout = requestTimeout;
  }

  /** Parses and validates the settings; a bad value fails with a {@link ConfigException} naming the key. */
  public static RegistryClientConfig from(Map<String, ?> configs) {
    String raw = string(configs, URL);
    if (raw == null || raw.isBlank()) {
      throw new ConfigException(URL, raw, "a schema registry URL is required (http(s)://host:port or mock://scope)");
    }
    List<URI> urls = new ArrayList<>();
    for (String part : raw.split(",")) {
      urls.add(parseUrl(part.trim()));
    }
    String timeout = string(configs, REQUEST_TIMEOUT_MS);
    Duration requestTimeout;
    try {
      requestTimeout = Duration.ofMillis(timeout == null ? 30_000 : Long.parseLong(timeout));
    } catch (NumberFormatException e) {
      throw new ConfigException(REQUEST_TIMEOUT_MS, timeout, "must be a number of milliseconds");
    }
    return new RegistryClientConfig(List.copyOf(urls), authorization(configs, urls.get(0)), sslContext(configs),
        requestTimeout);
  }

  private static URI parseUrl(String url) {
    try {
      URI uri = URI.create(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!List.of("http", "https", "mock").contains(scheme)) {
        throw new ConfigException(URL, url, "scheme must be http, https or mock");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(URL, url, "not a valid URL: " + e.getMessage());
    }
  }

  private static String authorization(Map<String, ?> configs, URI firstUrl) {
    String bearerSource = string(configs, BEARER_SOURCE);
    String bearer = string(configs, BEARER_TOKEN);
    if (bearer != null && !bearer.isBlank()) {
      if (bearerSource != null && !"STATIC_TOKEN".equalsIgnoreCase(bearerSource)) {
        throw new ConfigException(BEARER_SOURCE, bearerSource, "only STATIC_TOKEN is supported");
      }
      return "Bearer " + bearer;
    }
    String source = Optional.ofNullable(string(configs, BASIC_SOURCE)).orElse("USER_INFO").toUpperCase(Locale.ROOT);
    String userInfo = switch (source) {
      case "USER_INFO" -> string(configs, BASIC_USER_INFO);
      case "URL" -> firstUrl.getUserInfo();
      default -> throw new ConfigException(BASIC_SOURCE, source, "must be USER_INFO or URL");
    };
    if (userInfo == null || userInfo.isBlank()) {
      return null;
    }
    if (!userInfo.contains(":")) {
      throw new ConfigException(BASIC_USER_INFO, "<hidden>", "must be user:password");
    }
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private static SSLContext sslContext(Map<String, ?> configs) {
    String location = string(configs, TRUSTSTORE_LOCATION);
    if (location == null || location.isBlank()) {
      return null;
    }
    String password = string(configs, TRUSTSTORE_PASSWORD);
    String type = Optional.ofNullable(string(configs, TRUSTSTORE_TYPE)).orElse("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(TRUSTSTORE_LOCATION, location, "cannot load trust store: " + e.getMessage());
    }
  }

  private static String string(Map<String, ?> configs, String key) {
    Object v = configs.get(key);
    return v == null ? null : v.toString();
  }

  public List<URI> urls() {
    return urls;
  }

  public boolean isMock() {
    return "mock".equalsIgnoreCase(urls.get(0).getScheme());
  }

  /** The value of the Authorization header, or null. */
  public String authorization() {
    return authorization;
  }

  /** A TLS context for a private trust store, or null for the JDK default. */
  public SSLContext sslContext() {
    return sslContext;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }
}
