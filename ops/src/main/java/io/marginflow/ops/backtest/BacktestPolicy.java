package io.marginflow.ops.backtest;

import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/** One pricing policy of a backtest: its name (the file's, without {@code .properties}) and its settings. */
public record BacktestPolicy(String name, Map<String, String> settings) {
  public BacktestPolicy {
    settings = Map.copyOf(settings);
  }

  /**
   * Reads and validates every policy file before anything runs, so that a bad setting in the last file fails at once,
   * naming the file and the key.
   */
  public static List<BacktestPolicy> read(List<Path> files) {
    if (files.isEmpty()) {
      throw new ConfigException("--policy", "", "at least one policy file is needed");
    }
    List<BacktestPolicy> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Path file : files) {
      String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new ConfigException("--policy", file.toString(), "the file name (the policy's name in the report) may use "
            + "letters, digits, '.', '_' and '-' only");
      }
      if (!names.add(name)) {
        throw new ConfigException("--policy", file.toString(), "two policies are named '" + name + "'");
      }
      Map<String, String> settings = MarginflowConfig.readProperties(file);
      try {
        MarginflowConfig.of(settings);
      } catch (ConfigException e) {
        throw new ConfigException("policy " + file + ": " + e.getMessage());
      }
      out.add(new BacktestPolicy(name, settings));
    }
    return out;
  }
}
