package io.marginflow.serde;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** Serde settings, named as Confluent's; the registry connection settings are in RegistryClientConfig. */
public record AvroSerdeConfig(boolean autoRegister, boolean useLatestVersion, SubjectNameStrategy strategy) {
  public static final String AUTO_REGISTER = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String KEY_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_STRATEGY = "value.subject.name.strategy";

  /** Reads the settings for a key or a value serde. */
  public static AvroSerdeConfig from(Map<String, ?> configs, boolean isKey) {
    String strategyKey = isKey ? KEY_STRATEGY : VALUE_STRATEGY;
    return new AvroSerdeConfig(bool(configs, AUTO_REGISTER, true), bool(configs, USE_LATEST_VERSION, false),
        SubjectNameStrategy.parse(strategyKey, configs.get(strategyKey)));
  }

  private static boolean bool(Map<String, ?> configs, String key, boolean dflt) {
    Object v = configs.get(key);
    if (v == null) {
      return dflt;
    }
    String s = v.toString().trim();
    if (!"true".equalsIgnoreCase(s) && !"false".equalsIgnoreCase(s)) {
      throw new ConfigException(key, v, "must be true or false");
    }
    return Boolean.parseBoolean(s);
  }
}
