package io.marginflow.ops.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;

/**
 * Kafka client settings as the Kafka tools take them: {@code --bootstrap-server} plus a {@code --command-config} file
 * (a picocli mixin for the commands that talk to a cluster).
 */
final class ClientProperties {
  @picocli.CommandLine.Option(names = "--bootstrap-server", required = true,
      description = "Kafka bootstrap servers, host:port[,host:port].")
  String bootstrapServers;

  @picocli.CommandLine.Option(names = "--command-config", description = "Properties file of Kafka client settings (SASL, TLS).")
  Path commandConfig;

  /** The client settings the options name. */
  Map<String, Object> client() {
    return of(bootstrapServers, commandConfig);
  }

  static Map<String, Object> of(String bootstrapServers, Path commandConfig) {
    Map<String, Object> config = new HashMap<>();
    if (commandConfig != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(commandConfig)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException("--command-config", commandConfig.toString(), "cannot read: " + e.getMessage());
      }
      p.forEach((k, v) -> config.put(k.toString().trim(), v.toString().trim()));
    }
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }
}
