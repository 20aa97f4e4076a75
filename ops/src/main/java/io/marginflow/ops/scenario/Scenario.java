package io.marginflow.ops.scenario;

import io.marginflow.avro.Budget;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TokenUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A scenario directory (SPEC 7) parsed into records ({@link ScenarioRecords} reads each file's lines). A line that does
 * not parse is kept as a {@link Row} with an error and no record; a parsed record is not yet validated against SPEC 2
 * (the pipeline does that).
 */
public record Scenario(List<Row<TokenUsage>> usage, List<Row<PowerSample>> power, List<Row<NodeProfile>> nodes,
    List<Row<PriceBookEntry>> pricebook, List<Row<EnergyPrice>> energyPrices, List<Row<Budget>> budgets) {

  public static final String USAGE = "usage.csv";
  public static final String POWER = "power.csv";
  public static final String NODES = "nodes.csv";
  public static final String PRICEBOOK = "pricebook.csv";
  public static final String ENERGY_PRICES = "energy_prices.csv";
  public static final String BUDGETS = "budgets.csv";

  /**
   * A parsed line: the record, or why it could not be read: a SPEC 2 reason where a cell breaks one (a token count
   * beyond 64 bits is TOO_MANY_TOKENS, a fraction INVALID_TOKENS), else null (the row does not parse), and the detail.
   */
  public record Row<T>(String file, Csv.Line line, T record, String reason, String error) {
    public boolean ok() {
      return record != null;
    }
  }

  /** Reads every file present; a file whose header lacks a required column fails here, before anything is produced. */
  public static Scenario read(Path dir) {
    return new Scenario(parse(dir, ScenarioRecords.USAGE), parse(dir, ScenarioRecords.POWER),
        parse(dir, ScenarioRecords.NODES), parse(dir, ScenarioRecords.PRICEBOOK),
        parse(dir, ScenarioRecords.ENERGY_PRICES), parse(dir, ScenarioRecords.BUDGETS));
  }

  /**
   * The reference files only (small), with usage and power left on disk to be streamed through {@link #events}: a
   * scenario of millions of rows never sits in memory. The event files' headers are checked here too.
   */
  public static Scenario readReference(Path dir) {
    try (EventSource.Rows<TokenUsage> u = events(dir).usage(); EventSource.Rows<PowerSample> p = events(dir).power()) {
      return new Scenario(List.of(), List.of(), parse(dir, ScenarioRecords.NODES), parse(dir, ScenarioRecords.PRICEBOOK),
          parse(dir, ScenarioRecords.ENERGY_PRICES), parse(dir, ScenarioRecords.BUDGETS));
    }
  }

  /** The usage and power rows of the files in {@code dir}, read as they are iterated. */
  public static EventSource events(Path dir) {
    return new EventSource() {
      @Override
      public Rows<TokenUsage> usage() {
        return stream(dir, ScenarioRecords.USAGE);
      }

      @Override
      public Rows<PowerSample> power() {
        return stream(dir, ScenarioRecords.POWER);
      }
    };
  }

  /** This scenario's usage and power rows, from memory. */
  public EventSource events() {
    return new EventSource() {
      @Override
      public Rows<TokenUsage> usage() {
        return EventSource.Rows.of(Scenario.this.usage.iterator(), () -> { });
      }

      @Override
      public Rows<PowerSample> power() {
        return EventSource.Rows.of(Scenario.this.power.iterator(), () -> { });
      }
    };
  }

  private static <T> EventSource.Rows<T> stream(Path dir, ScenarioRecords.FileFormat<T> format) {
    Csv.Reader lines = Csv.open(dir.resolve(format.file()), format.columns());
    return EventSource.Rows.of(new Iterator<>() {
      @Override
      public boolean hasNext() {
        return lines.hasNext();
      }

      @Override
      public Row<T> next() {
        return toRow(format, lines.next());
      }
    }, lines::close);
  }

  private static <T> List<Row<T>> parse(Path dir, ScenarioRecords.FileFormat<T> format) {
    List<Row<T>> rows = new ArrayList<>();
    for (Csv.Line line : Csv.read(dir.resolve(format.file()), format.columns())) {
      rows.add(toRow(format, line));
    }
    return rows;
  }

  private static <T> Row<T> toRow(ScenarioRecords.FileFormat<T> format, Csv.Line line) {
    String file = format.file();
    try {
      for (String c : format.columns()) {
        if (line.columns().get(c) >= line.fields().length) {
          throw new IllegalArgumentException("no field for column " + c + " (" + line.fields().length + " fields)");
        }
      }
      return new Row<>(file, line, format.parser().apply(line), null, null);
    } catch (ScenarioRecords.CellRejected e) {
      return new Row<>(file, line, null, e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      return new Row<>(file, line, null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
