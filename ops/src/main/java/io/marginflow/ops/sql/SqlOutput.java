package io.marginflow.ops.sql;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A query's rows as a terminal table (numbers right-aligned), CSV (RFC 4180, a header line) or JSON (an array of
 * objects, numbers as exact JSON numbers). Decimals print in full (no exponent), times as ISO-8601 in UTC.
 */
public final class SqlOutput {
  /** The output formats. */
  public enum Format { TABLE, CSV, JSON }

  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private SqlOutput() {
  }

  /** Writes {@code rows} to {@code out} in {@code format}; returns how many rows there were. */
  public static int write(ResultSet rows, Format format, PrintWriter out) throws Exception {
    ResultSetMetaData meta = rows.getMetaData();
    int n = meta.getColumnCount();
    List<String> names = new ArrayList<>();
    for (int c = 1; c <= n; c++) {
      names.add(meta.getColumnLabel(c));
    }
    List<Object[]> data = new ArrayList<>();
    while (rows.next()) {
      Object[] row = new Object[n];
      for (int c = 1; c <= n; c++) {
        row[c - 1] = value(rows, c);
      }
      data.add(row);
    }
    switch (format) {
      case CSV -> csv(names, data, out);
      case JSON -> json(names, data, out);
      default -> table(names, data, out);
    }
    out.flush();
    return data.size();
  }

  private static Object value(ResultSet rows, int c) throws SQLException {
    Object v = rows.getObject(c);
    if (v instanceof OffsetDateTime t) {
      return t.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime().toString();
    }
    return v instanceof java.sql.Date || v instanceof java.sql.Time ? v.toString() : v;
  }

  private static String text(Object v) {
    if (v == null) {
      return "";
    }
    return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
  }

  private static void table(List<String> names, List<Object[]> data, PrintWriter out) {
    int[] width = new int[names.size()];
    boolean[] numeric = new boolean[names.size()];
    for (int c = 0; c < names.size(); c++) {
      width[c] = names.get(c).length();
      for (Object[] row : data) {
        width[c] = Math.max(width[c], text(row[c]).length());
        numeric[c] |= row[c] instanceof Number;
      }
    }
    out.println(line(names.toArray(), width, numeric, true));
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < width.length; c++) {
      rule.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
    }
    out.println(rule);
    for (Object[] row : data) {
      out.println(line(row, width, numeric, false));
    }
    out.println("(" + data.size() + (data.size() == 1 ? " row)" : " rows)"));
  }

  private static String line(Object[] cells, int[] width, boolean[] numeric, boolean header) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      String t = text(cells[c]);
      String pad = " ".repeat(width[c] - t.length());
      b.append(c == 0 ? "" : " | ").append(numeric[c] && !header ? pad + t : t + pad);
    }
    return b.toString().stripTrailing();
  }

  private static void csv(List<String> names, List<Object[]> data, PrintWriter out) {
    out.println(String.join(",", names.stream().map(SqlOutput::quote).toList()));
    for (Object[] row : data) {
      List<String> cells = new ArrayList<>();
      for (Object v : row) {
        cells.add(quote(text(v)));
      }
      out.println(String.join(",", cells));
    }
  }

  private static String quote(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static void json(List<String> names, List<Object[]> data, PrintWriter out) throws Exception {
    ArrayNode array = JSON.createArrayNode();
    for (Object[] row : data) {
      ObjectNode o = array.addObject();
      for (int c = 0; c < names.size(); c++) {
        Object v = row[c];
        if (v == null) {
          o.putNull(names.get(c));
        } else if (v instanceof BigDecimal d) {
          o.put(names.get(c), d);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
          o.put(names.get(c), ((Number) v).longValue());
        } else if (v instanceof Number num) {
          o.put(names.get(c), num.doubleValue());
        } else if (v instanceof Boolean bool) {
          o.put(names.get(c), bool);
        } else {
          o.put(names.get(c), v.toString());
        }
      }
    }
    out.println(JSON.writeValueAsString(array));
  }
}
