package io.marginflow.ops.scenario;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The scenario CSV dialect (SPEC 7): a header line naming the columns, comma-separated fields, no quoting. Columns
 * are found by their header name, in any order; columns nobody asks for are ignored. Parsed by Jackson's CSV module
 * (rows as string arrays, no quote character, so a quote is an ordinary character as the dialect wants); this class
 * adds the header rules and the line numbers that bad rows are reported by.
 */
public final class Csv {
  private static final ObjectReader DIALECT = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
      .readerFor(String[].class).with(CsvSchema.emptySchema().withoutQuoteChar());

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
    List<Line> out = new ArrayList<>();
    try (Reader r = open(file, required)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  /** Streams the data lines of {@code file} (none when absent), checking the header first as {@link #read} does. */
  public static Reader open(Path file, List<String> required) {
    if (!Files.exists(file)) {
      return new Reader(null, Map.of());
    }
    MappingIterator<String[]> rows = null;
    try {
      rows = DIALECT.readValues(Files.newBufferedReader(file, StandardCharsets.UTF_8));
      if (!rows.hasNext()) {
        rows.close();
        return new Reader(null, Map.of());
      }
      return new Reader(rows, header(file, rows.next(), required));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    } catch (RuntimeException e) {
      closeQuietly(rows);
      throw e;
    }
  }

  private static void closeQuietly(MappingIterator<String[]> rows) {
    if (rows != null) {
      try {
        rows.close();
      } catch (IOException ignored) {
        // already failing: the first error is the one to report
      }
    }
  }

  /**
   * The data lines of one file, read as they are iterated. The dialect has no quoting, so a record is one physical
   * line: its number is the count of records read (blank lines included, then skipped), the header being line 1.
   */
  public static final class Reader implements Iterator<Line>, AutoCloseable {
    private final MappingIterator<String[]> rows;
    private final Map<String, Integer> columns;
    private int number = 1;
    private Line next;

    private Reader(MappingIterator<String[]> rows, Map<String, Integer> columns) {
      this.rows = rows;
      this.columns = columns;
      advance();
    }

    private void advance() {
      next = null;
      if (rows == null) {
        return;
      }
      while (rows.hasNext()) {
        String[] fields = rows.next();
        number++;
        String text = String.join(",", fields);
        if (!text.isBlank()) {
          next = new Line(number, text, fields, columns);
          return;
        }
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Line next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      Line l = next;
      advance();
      return l;
    }

    @Override
    public void close() {
      if (rows != null) {
        try {
          rows.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** The text of the given 1-based line numbers of {@code file} (for naming a few rows after the fact). */
  public static Map<Integer, String> lines(Path file, java.util.Set<Integer> numbers) {
    Map<Integer, String> out = new HashMap<>();
    if (numbers.isEmpty() || !Files.exists(file)) {
      return out;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int n = 0;
      while ((text = in.readLine()) != null && out.size() < numbers.size()) {
        if (numbers.contains(++n)) {
          out.put(n, text);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  private static Map<String, Integer> header(Path file, String[] fields, List<String> required) {
    Map<String, Integer> columns = new HashMap<>();
    String line = String.join(",", fields);
    for (int i = 0; i < fields.length; i++) {
      String name = fields[i].replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT);
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
