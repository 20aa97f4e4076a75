package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The scenario CSV dialect (SPEC 7): a header line, comma-separated fields, no quoting. */
public final class Csv {
  private Csv() {
  }

  /** One data line: its 1-based line number in the file, the raw text and its fields. */
  public record Line(int number, String text, String[] fields) {
    public String get(int i) {
      return i < fields.length ? fields[i].trim() : "";
    }
  }

  /** The data lines of {@code file} (header skipped), or none when the file is absent. */
  public static List<Line> read(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<Line> out = new ArrayList<>();
      for (int i = 1; i < lines.size(); i++) {
        String text = lines.get(i);
        if (!text.isBlank()) {
          out.add(new Line(i + 1, text, text.split(",", -1)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }
}
