package io.marginflow.ops.cli;

import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Several --config files, read in order: a later file's setting wins (settings, then credentials from a Secret). */
final class ConfigFiles {
  private ConfigFiles() {
  }

  static Map<String, String> read(List<Path> files) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path f : files) {
      out.putAll(MarginflowConfig.readProperties(f));
    }
    return out;
  }
}
