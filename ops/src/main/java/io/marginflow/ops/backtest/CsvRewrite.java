package io.marginflow.ops.backtest;

import io.marginflow.ops.scenario.Csv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** A scenario file rewritten line by line, as the demand shift writes usage.csv and power.csv. */
final class CsvRewrite {
  private CsvRewrite() {
  }

  /**
   * Writes {@code in}'s header line, then each data line of {@code in} as the lines {@code rewrite} makes of it (none,
   * itself, or several): a file rewritten line by line, in order.
   */
  static void rewrite(Path in, Path out, List<String> required, Function<Csv.Line, List<String>> rewrite) {
    try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8);
        Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8); Csv.Reader lines = Csv.open(in, required)) {
      w.write(r.readLine() + "\n");
      while (lines.hasNext()) {
        for (String line : rewrite.apply(lines.next())) {
          w.write(line + "\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot rewrite " + in + " as " + out, e);
    }
  }
}
