package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.TenantMargin;
import io.marginflow.connectors.iceberg.LakeTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** What the lake's ITs check of an Iceberg table: every record once and equal, no data file committed twice. */
final class LakeAssertions {
  private LakeAssertions() {
  }

  /** The Avro class of each table's topic's values. */
  static Class<? extends SpecificRecord> valueType(LakeTable table) {
    return switch (table) {
      case TENANT_MARGINS -> TenantMargin.class;
      case BUDGET_ALERTS -> BudgetAlert.class;
      case CAPACITY_ALERTS -> CapacityAlert.class;
      case PRICE_ADJUSTMENTS -> PriceAdjustment.class;
      case UNIT_COSTS -> ModelRegionCost.class;
    };
  }

  /** Each table's key: what identifies a record of its topic. */
  static String[] keyFields(LakeTable table) {
    return switch (table) {
      case TENANT_MARGINS -> new String[] {"tenant_id", "window", "window_start_ms"};
      case BUDGET_ALERTS, CAPACITY_ALERTS -> new String[] {"alert_id"};
      case PRICE_ADJUSTMENTS -> new String[] {"model", "region", "effective_from_ms"};
      case UNIT_COSTS -> new String[] {"model", "region", "interval_start_ms"};
    };
  }

  /** Every produced record once in {@code table} (by {@code keyFields}), each field equal to the record's, no other. */
  static void assertEachRecordOnce(Table table, Collection<? extends SpecificRecord> produced, String... keyFields)
      throws Exception {
    Map<String, Record> rows = assertContainsEachOnce(table, produced, keyFields);
    assertEquals(produced.size(), rows.size(), "every record, once: " + table.name());
  }

  /**
   * Every produced record in {@code table}, each field equal to the record's, and no key twice in the table (which may
   * hold records produced since); returns the rows by key.
   */
  static Map<String, Record> assertContainsEachOnce(Table table, Collection<? extends SpecificRecord> produced,
      String... keyFields) throws Exception {
    Map<String, Record> rows = new TreeMap<>();
    try (CloseableIterable<Record> read = IcebergGenerics.read(table).build()) {
      for (Record r : read) {
        String key = key(r, keyFields);
        assertTrue(rows.put(key, r.copy()) == null, "once: " + key + " in " + table.name());
      }
    }
    for (SpecificRecord m : produced) {
      for (org.apache.avro.Schema.Field f : m.getSchema().getFields()) {
        assertTrue(table.schema().findField(f.name()) != null, "column " + f.name() + " in " + table.name());
      }
      Record r = rows.get(key(m, keyFields));
      assertTrue(r != null, "row of " + m + " in " + table.name());
      for (org.apache.avro.Schema.Field f : m.getSchema().getFields()) {
        Object want = column(m.get(f.pos()));
        Object got = r.getField(f.name());
        if (want instanceof BigDecimal d) {
          assertEquals(d, got, f.name() + ": exact, at scale " + d.scale());
        } else {
          assertEquals(want == null ? null : want.toString(), got == null ? null : got.toString(), f.name());
        }
      }
    }
    return rows;
  }

  /** A row's key. */
  static String key(Record row, String... keyFields) {
    return Arrays.stream(keyFields).map(f -> String.valueOf(row.getField(f))).collect(Collectors.joining("|"));
  }

  /** A record's key as its table's row gives it. */
  static String key(SpecificRecord m, String... keyFields) {
    org.apache.avro.Schema schema = m.getSchema();
    return Arrays.stream(keyFields).map(f -> String.valueOf(column(m.get(schema.getField(f).pos()))))
        .collect(Collectors.joining("|"));
  }

  /** Whether {@code table} exists and holds a row of each of {@code records}. */
  static boolean holdsAll(Catalog catalog, LakeTable table, Collection<? extends SpecificRecord> records) {
    TableIdentifier id = TableIdentifier.parse(table.table());
    if (!catalog.tableExists(id) || catalog.loadTable(id).currentSnapshot() == null) {
      return records.isEmpty();
    }
    Set<String> keys = new HashSet<>();
    try (CloseableIterable<Record> read = IcebergGenerics.read(catalog.loadTable(id)).build()) {
      for (Record r : read) {
        keys.add(key(r, keyFields(table)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records.stream().allMatch(m -> keys.contains(key(m, keyFields(table))));
  }

  /** A record's field as the table holds it: instants as UTC timestamps, text and enum symbols as strings. */
  static Object column(Object value) {
    if (value instanceof Instant i) {
      return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
    return value instanceof CharSequence || value instanceof Enum<?> ? value.toString() : value;
  }

  static void assertNoDataFileInTwoSnapshots(Table table) {
    Set<String> seen = new HashSet<>();
    for (Snapshot s : table.snapshots()) {
      for (DataFile f : SnapshotChanges.builderFor(table).snapshot(s).build().addedDataFiles()) {
        assertTrue(seen.add(f.location()), "data file in two snapshots: " + f.location());
      }
    }
  }

  static void awaitRows(Catalog catalog, String table, long rows) {
    Records.await(Duration.ofMinutes(2), rows + " rows in " + table, () -> {
      if (!catalog.tableExists(TableIdentifier.parse(table))) {
        return false;
      }
      Snapshot s = catalog.loadTable(TableIdentifier.parse(table)).currentSnapshot();
      return s != null && Long.parseLong(s.summary().get("total-records")) >= rows;
    });
  }

}
