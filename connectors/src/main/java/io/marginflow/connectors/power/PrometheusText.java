package io.marginflow.connectors.power;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prometheus text exposition format (version 0.0.4), as DCGM exporter and Kepler serve it: one sample a line,
 * {@code name{label="value",...} value [timestamp_ms]}; {@code #} lines are comments (HELP, TYPE). A line that does
 * not parse is skipped and counted, never fatal: one bad line must not cost a scrape.
 */
public final class PrometheusText {
  private PrometheusText() {
  }

  /** One sample; {@code timestampMs} is null when the line has none. */
  public record Sample(String name, Map<String, String> labels, double value, Long timestampMs) {
    public String label(String name) {
      return labels.get(name);
    }
  }

  /** The samples of a scrape, and how many lines were skipped as garbage. */
  public record Parsed(List<Sample> samples, int garbageLines) {
  }

  public static Parsed parse(String text) {
    List<Sample> samples = new ArrayList<>();
    int garbage = 0;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Sample s = line(line);
      if (s == null) {
        garbage++;
      } else {
        samples.add(s);
      }
    }
    return new Parsed(Collections.unmodifiableList(samples), garbage);
  }

  /** Parses one sample line; null when it is not one. */
  static Sample line(String line) {
    int i = 0;
    while (i < line.length() && nameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      return null;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
      if (i < 0) {
        return null;
      }
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      return null;
    }
    try {
      double value = number(rest[0]);
      Long ts = rest.length == 2 ? Long.valueOf(rest[1]) : null;
      return new Sample(name, Collections.unmodifiableMap(labels), value, ts);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the closing brace, or -1. */
  private static int labels(String line, int start, Map<String, String> labels) {
    int i = start;
    while (true) {
      while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
        i++;
      }
      if (i >= line.length()) {
        return -1;
      }
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int nameStart = i;
      while (i < line.length() && nameChar(line.charAt(i), i == nameStart)) {
        i++;
      }
      if (i == nameStart || i + 1 >= line.length() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
        return -1;
      }
      String name = line.substring(nameStart, i);
      StringBuilder value = new StringBuilder();
      i = quoted(line, i + 2, value);
      if (i < 0) {
        return -1;
      }
      labels.put(name, value.toString());
    }
  }

  /** Reads a label value up to its closing quote (escapes: \\, \", \n); returns the index after it, or -1. */
  private static int quoted(String line, int start, StringBuilder value) {
    int i = start;
    while (i < line.length() && line.charAt(i) != '"') {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        char e = line.charAt(++i);
        value.append(e == 'n' ? '\n' : e);
      } else {
        value.append(c);
      }
      i++;
    }
    return i >= line.length() ? -1 : i + 1;
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  private static boolean nameChar(char c, boolean first) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
  }
}
