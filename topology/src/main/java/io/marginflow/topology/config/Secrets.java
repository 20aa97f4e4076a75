package io.marginflow.topology.config;

import java.util.Locale;

/** Which settings are secrets, and how the start-up log shows them: {@code [hidden]}. */
final class Secrets {
  private Secrets() {
  }

  /** Passwords, JAAS configurations, registry credentials, API tokens, keys. */
  static boolean secret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.endsWith("password") || k.endsWith(".jaas.config") || k.endsWith("user.info") || k.endsWith("token")
        || k.endsWith("tokens") || k.contains("secret") || k.endsWith(".key") || k.endsWith("credentials");
  }

  static String masked(String key, Object value) {
    if (value == null) {
      return "null";
    }
    if (secret(key) || value instanceof org.apache.kafka.common.config.types.Password) {
      return String.valueOf(value).isEmpty() ? "" : "[hidden]";
    }
    return String.valueOf(value);
  }
}
