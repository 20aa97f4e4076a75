package io.marginflow.ops.cli;

import io.marginflow.ops.ingest.IngestConfig;
import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several --config files, read in order: a later file's setting wins (settings, then credentials from a Secret). One
 * file serves every command: the ingest gateway's own keys ({@code ingest.port}, ...) are its alone and are left out
 * of the pipeline's settings; any other unknown key fails.
 */
final class ConfigFiles {
  private ConfigFiles() {
  }

  /** The pipeline's settings from {@code files} (none: defaults), the environment and {@code overrides}. */
  static MarginflowConfig pipeline(List<Path> files, Map<String, String> overrides) {
    return MarginflowConfig.load(IngestConfig.others(read(files)), System.getenv(), overrides);
  }

  /** The same from one optional file. */
  static MarginflowConfig pipeline(Path file, Map<String, String> overrides) {
    return pipeline(file == null ? List.of() : List.of(file), overrides);
  }

  static Map<String, String> read(List<Path> files) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path f : files) {
      out.putAll(MarginflowConfig.readProperties(f));
    }
    return out;
  }
}
