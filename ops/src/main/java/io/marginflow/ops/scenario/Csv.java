package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scenario CSV dialect (SPEC 7): a header line naming the columns, comma-separated fields, no quoting. Columns
 * are found by their header name, in any order; columns nobody asks for are ignored.
 */
public final class Csv {
  private Csv() {
  }

  /** One data line: its 1-based line number in the file, the raw text and its fields, read through the header. */
  public record Line(int number, String text, String[] fields, Map<String, Integer> columns) {
    /** The trimmed field under header {@code column}; empty when the column or the field is absent. */
    public String get(String column) {
      Integer i = columns.get(column);
      return i == null || i >= fields.length ? "" : fields[i].trim();
    }

    /** Whether the header has {@code column}. */
    public boolean has(String column) {
      return columns.containsKey(column);
    }
  }

  /**
   * The data lines of {@code file}, or none when the file is absent. A header without one of the {@code required}
   * columns is refused before any row is read, naming the file and the column.
   */
  public static List<Line> read(Path file, List<String> required) {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    if (lines.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> columns = header(file, lines.get(0), required);
    List<Line> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String text = lines.get(i);
      if (!text.isBlank()) {
        out.add(new Line(i + 1, text, text.split(",", -1), columns));
      }
    }
    return out;
  }

  private static Map<String, Integer> header(Path file, String line, List<String> required) {
    Map<String, Integer> columns = new HashMap<>();
    String[] names = line.replace("\uFEFF", "").split(",", -1);
    for (int i = 0; i < names.length; i++) {
      String name = names[i].trim().toLowerCase(Locale.ROOT);
      if (!name.isEmpty() && columns.putIfAbsent(name, i) != null) {
        throw new IllegalArgumentException(file + ": column '" + name + "' appears twice in the header");
      }
    }
    for (String column : required) {
      if (!columns.containsKey(column)) {
        throw new IllegalArgumentException(file + ": the header has no column '" + column + "' (header: " + line.trim()
            + "; required: " + String.join(",", required) + ")");
      }
    }
    return columns;
  }
}
