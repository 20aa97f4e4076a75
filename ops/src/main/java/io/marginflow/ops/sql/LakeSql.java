package io.marginflow.ops.sql;

import io.marginflow.connectors.iceberg.LakeTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * SQL over the lake with no server: an in-memory DuckDB in this process, holding each lake table the query names as
 * it stood at one committed snapshot (the current one, or the last at or before {@code asOf}), read through Iceberg's
 * Java API (never a half-written file). Tables are {@code marginflow.<table>} and, shorter, {@code <table>}; money
 * stays {@code DECIMAL(38, 9)}, times {@code TIMESTAMPTZ} in UTC.
 */
public final class LakeSql implements AutoCloseable {
  private final DuckDBConnection duck;
  private final List<String> loaded = new ArrayList<>();

  private LakeSql(DuckDBConnection duck) {
    this.duck = duck;
  }

  /** DuckDB holding the lake tables {@code sql} names, from {@code catalog} at {@code asOf} (null: now). */
  public static LakeSql open(Catalog catalog, String sql, Instant asOf) throws SQLException {
    LakeSql lake = new LakeSql((DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:"));
    try (Statement s = lake.duck.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE SCHEMA " + LakeTable.NAMESPACE);
      String text = sql.toLowerCase(Locale.ROOT);
      for (LakeTable t : LakeTable.values()) {
        String name = t.tableName();
        if (text.contains(name)) {
          lake.load(catalog, t, name, asOf);
          s.execute("CREATE VIEW " + name + " AS SELECT * FROM " + t.table());
        }
      }
    } catch (SQLException | RuntimeException e) {
      lake.close();
      throw e;
    }
    return lake;
  }

  /** The lake's table names, as queries name them. */
  public static List<String> tableNames() {
    List<String> out = new ArrayList<>();
    for (LakeTable t : LakeTable.values()) {
      out.add(t.tableName());
    }
    return out;
  }

  /** The connection to query. */
  public Connection connection() {
    return duck;
  }

  /** The tables loaded, each with the snapshot it was read at. */
  public List<String> loaded() {
    return loaded;
  }

  private void load(Catalog catalog, LakeTable t, String name, Instant asOf) throws SQLException {
    TableIdentifier id = TableIdentifier.parse(t.table());
    if (!catalog.tableExists(id)) {
      throw new SQLException("Table " + t.table() + " is not in the lake yet: its sink has not committed a record");
    }
    Table table = catalog.loadTable(id);
    Snapshot snapshot = snapshotAt(table, asOf);
    try (Statement s = duck.createStatement()) {
      s.execute("CREATE TABLE " + t.table() + " (" + columns(table.schema()) + ")");
    }
    if (snapshot == null) {
      loaded.add(name + " (empty at " + asOf + ")");
      return;
    }
    long rows = 0;
    try (DuckDBAppender appender = duck.createAppender(LakeTable.NAMESPACE, name);
        CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshot.snapshotId()).build()) {
      for (Record r : records) {
        appender.beginRow();
        for (Types.NestedField f : table.schema().columns()) {
          append(appender, f.type(), r.getField(f.name()));
        }
        appender.endRow();
        rows++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    loaded.add(name + " (" + rows + " rows, snapshot " + snapshot.snapshotId() + " of "
        + Instant.ofEpochMilli(snapshot.timestampMillis()) + ")");
  }

  /** The table's current snapshot, or the last committed at or before {@code asOf}; null when none. */
  static Snapshot snapshotAt(Table table, Instant asOf) {
    if (asOf == null) {
      return table.currentSnapshot();
    }
    Snapshot at = null;
    for (Snapshot s : table.snapshots()) {
      if (s.timestampMillis() <= asOf.toEpochMilli() && (at == null || s.timestampMillis() >= at.timestampMillis())) {
        at = s;
      }
    }
    return at;
  }

  private static String columns(Schema schema) {
    List<String> out = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      out.add("\"" + f.name() + "\" " + duckType(f.type()));
    }
    return String.join(", ", out);
  }

  private static String duckType(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> "DECIMAL(" + ((Types.DecimalType) type).precision() + ", " + ((Types.DecimalType) type).scale() + ")";
      case DATE -> "DATE";
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      default -> "VARCHAR";
    };
  }

  private static void append(DuckDBAppender a, Type type, Object v) throws SQLException {
    if (v == null) {
      a.appendNull();
      return;
    }
    switch (type.typeId()) {
      case BOOLEAN -> a.append((Boolean) v);
      case INTEGER -> a.append((Integer) v);
      case LONG -> a.append((Long) v);
      case FLOAT -> a.append((Float) v);
      case DOUBLE -> a.append((Double) v);
      case DECIMAL -> a.append((java.math.BigDecimal) v);
      case DATE -> a.append((java.time.LocalDate) v);
      case TIMESTAMP -> {
        if (v instanceof java.time.OffsetDateTime o) {
          a.append(o);
        } else {
          a.append((java.time.LocalDateTime) v);
        }
      }
      default -> a.append(v.toString());
    }
  }

  @Override
  public void close() throws SQLException {
    duck.close();
  }
}
