package io.marginflow.ops.cli;

import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.ops.sql.LakeSql;
import io.marginflow.ops.sql.SqlOutput;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code marginflow sql}: one query over the lake's Iceberg tables, in this process (DuckDB), no server. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {"Run one SQL query (DuckDB's dialect) over the lake's tables: tenant_margins, budget_alerts,",
        "capacity_alerts, price_adjustments, unit_costs (also as marginflow.<table>), each read at one committed",
        "snapshot. Example: bin/marginflow sql \"SELECT tenant_id, sum(gross_margin_usd) FROM tenant_margins",
        "WHERE \\\"window\\\" = '1h' GROUP BY 1 ORDER BY 2\""})
final class SqlCommand implements Callable<Integer> {
  /** The demo's lake ({@code bin/marginflow demo --lake} with the default state folder). */
  static final String DEFAULT_LAKE = "state/demo/lake";

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The query.")
  private String query;

  @Option(names = "--lake", defaultValue = DEFAULT_LAKE, description = "The lake's folder (default: "
      + "${DEFAULT-VALUE}, the demo's with --lake).")
  private Path lake;

  @Option(names = "--lake-catalog", description = "Read the tables from the Iceberg catalog these properties describe "
      + "instead (as bin/marginflow connect --lake-catalog takes them).")
  private Path lakeCatalog;

  @Option(names = "--format", defaultValue = "table", description = "table (for a terminal), csv or json (for "
      + "scripts; default: ${DEFAULT-VALUE}).")
  private String format;

  @Option(names = "--as-of", description = "Read each table as it was at this time (ISO-8601 like "
      + "2026-12-08T10:00:00Z, or a date: its start in UTC): time travel to an earlier snapshot.")
  private String asOf;

  @Override
  public Integer call() throws Exception {
    SqlOutput.Format f = switch (format.toLowerCase(java.util.Locale.ROOT)) {
      case "table" -> SqlOutput.Format.TABLE;
      case "csv" -> SqlOutput.Format.CSV;
      case "json" -> SqlOutput.Format.JSON;
      default -> throw new ConfigException("--format", format, "table, csv or json");
    };
    Instant at = asOf == null ? null : instant(asOf);
    Catalog catalog = IcebergSink.catalog(catalogSettings());
    PrintWriter out = spec.commandLine().getOut();
    try (LakeSql sql = LakeSql.open(catalog, query, at); Statement s = sql.connection().createStatement();
        ResultSet rows = s.executeQuery(query)) {
      SqlOutput.write(rows, f, out);
      return 0;
    } catch (SQLException e) {
      String hint = e.getMessage() != null && e.getMessage().contains("Catalog Error")
          ? "\nThe lake's tables: " + String.join(", ", LakeSql.tableNames()) : "";
      throw new ConfigException("the query failed: " + e.getMessage() + hint);
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private Map<String, String> catalogSettings() throws java.io.IOException {
    if (lakeCatalog != null) {
      return ConnectCommand.catalogSettings(lakeCatalog);
    }
    if (!Files.exists(lake.resolve("catalog.mv.db"))) {
      throw new ConfigException("--lake", lake.toString(), "no lake there (bin/marginflow demo --lake writes one into "
          + "state/demo/lake; bin/marginflow connect --lake DIR into DIR)");
    }
    return IcebergSink.localCatalog(lake);
  }

  static Instant instant(String text) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new ConfigException("--as-of", text, "an ISO-8601 time like 2026-12-08T10:00:00Z or a date like 2026-12-08");
    }
  }
}
