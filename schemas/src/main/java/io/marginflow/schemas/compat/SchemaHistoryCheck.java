package io.marginflow.schemas.compat;

import io.marginflow.registry.store.CompatibilityLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Build-time evolution guard: for every {@code <history>/<Record>/v<N>.avsc}, the current
 * {@code <current>/<Record>.avsc} must read data written with it (BACKWARD compatibility, Avro's rules), and
 * every current schema must have a history. Run by the build; exits non-zero with the reasons on failure.
 */
public final class SchemaHistoryCheck {

  private SchemaHistoryCheck() {
  }

  /** Entry point for the build: {@code SchemaHistoryCheck <current dir> <history dir>}. */
  public static void main(String[] args) throws IOException {
    List<String> problems = check(Path.of(args[0]), Path.of(args[1]));
    if (!problems.isEmpty()) {
      throw new IllegalStateException("Schema evolution check failed:\n  " + String.join("\n  ", problems));
    }
  }

  /** The problems found; empty when every committed previous version is readable by the current schema. */
  public static List<String> check(Path currentDir, Path historyDir) throws IOException {
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(currentDir)) {
      for (Path current : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        String name = current.getFileName().toString().replace(".avsc", "");
        Schema reader = new Schema.Parser().parse(current.toFile());
        Path history = historyDir.resolve(name);
        if (!Files.isDirectory(history)) {
          problems.add(name + ": no history folder " + history + " (commit the first version as v1.avsc)");
          continue;
        }
        problems.addAll(checkAgainstHistory(name, reader, history));
      }
    }
    return problems;
  }

  private static List<String> checkAgainstHistory(String name, Schema reader, Path history) throws IOException {
    List<String> problems = new ArrayList<>();
    try (Stream<Path> versions = Files.list(history)) {
      for (Path previous : versions.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        Schema writer = new Schema.Parser().parse(previous.toFile());
        if (!CompatibilityLevel.canRead(reader, writer)) {
          problems.add(name + ": cannot read data written with " + previous.getFileName() + ": "
              + CompatibilityLevel.incompatibilities(reader, writer));
        }
      }
    }
    return problems;
  }
}
