package io.marginflow.ops.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** A query's rows in the three formats, money printed in full, times in UTC, from a real DuckDB. */
class SqlOutputTest {
  private static final String QUERY = "SELECT 'tenant, \"a\"' AS tenant_id, CAST('12.000000001' AS DECIMAL(38, 9)) AS "
      + "margin_usd, CAST(3 AS BIGINT) AS requests, TIMESTAMPTZ '2026-12-08 10:00:00+00' AS window_start, "
      + "CAST(NULL AS DECIMAL(38, 9)) AS ratio UNION ALL SELECT 't2', CAST('-0.000000001' AS DECIMAL(38, 9)), 12, "
      + "TIMESTAMPTZ '2026-12-08 11:00:00+00', CAST('0.5' AS DECIMAL(38, 9)) ORDER BY requests";

  @Test
  void shouldWriteATableCsvAndJsonWithExactMoney() throws Exception {
    assertEquals(String.join("\n",
        "tenant_id   | margin_usd   | requests | window_start         | ratio",
        "------------+--------------+----------+----------------------+------------",
        "tenant, \"a\" | 12.000000001 |        3 | 2026-12-08T10:00:00Z |",
        "t2          | -0.000000001 |       12 | 2026-12-08T11:00:00Z | 0.500000000",
        "(2 rows)", ""), run(SqlOutput.Format.TABLE));
    assertEquals(String.join("\n",
        "tenant_id,margin_usd,requests,window_start,ratio",
        "\"tenant, \"\"a\"\"\",12.000000001,3,2026-12-08T10:00:00Z,",
        "t2,-0.000000001,12,2026-12-08T11:00:00Z,0.500000000", ""), run(SqlOutput.Format.CSV));
    assertEquals("[{\"tenant_id\":\"tenant, \\\"a\\\"\",\"margin_usd\":12.000000001,\"requests\":3,"
        + "\"window_start\":\"2026-12-08T10:00:00Z\",\"ratio\":null},{\"tenant_id\":\"t2\",\"margin_usd\":-0.000000001,"
        + "\"requests\":12,\"window_start\":\"2026-12-08T11:00:00Z\",\"ratio\":0.500000000}]\n", run(SqlOutput.Format.JSON));
  }

  private static String run(SqlOutput.Format format) throws Exception {
    StringWriter text = new StringWriter();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (ResultSet rows = s.executeQuery(QUERY)) {
        SqlOutput.write(rows, format, new PrintWriter(text));
      }
    }
    return text.toString();
  }
}
