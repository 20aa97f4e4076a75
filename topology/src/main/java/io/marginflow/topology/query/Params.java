package io.marginflow.topology.query;

import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.schemas.Ids;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Validated query parameters: every bad input is a 400 that says what is wrong. */
final class Params {
  static final long MAX_RANGE_MS = 31L * 86_400_000L;
  /** 9999-12-31T23:59:59.999Z: later instants are mistakes, and would overflow the arithmetic of ranges. */
  static final long MAX_EPOCH_MS = 253_402_300_799_999L;
  private final Map<String, String> values = new HashMap<>();

  Params(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return;
    }
    for (String pair : rawQuery.split("&")) {
      String[] kv = pair.split("=", 2);
      try {
        values.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("the query string is not percent-encoded correctly");
      }
    }
  }

  String get(String name, String dflt) {
    String v = values.get(name);
    return v == null || v.isEmpty() ? dflt : v;
  }

  boolean has(String name) {
    return values.get(name) != null && !values.get(name).isEmpty();
  }

  boolean flag(String name) {
    return "true".equalsIgnoreCase(values.get(name));
  }

  long epochMs(String name, long dflt) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      long ms = Long.parseLong(v);
      if (ms < 0 || ms > MAX_EPOCH_MS) {
        throw new NumberFormatException();
      }
      return ms;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be epoch milliseconds from 0 to " + MAX_EPOCH_MS + " (9999-12-31), got '"
          + Ids.printable(v) + "'");
    }
  }

  int intIn(String name, int dflt, int min, int max) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v);
      if (i < min || i > max) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be an integer in [" + min + ", " + max + "], got '" + v + "'");
    }
  }

  String oneOf(String name, String dflt, List<String> allowed) {
    String v = get(name, dflt);
    if (!allowed.contains(v)) {
      throw ApiError.badRequest(name + " must be one of " + allowed + ", got '" + v + "'");
    }
    return v;
  }

  WindowSpec window(TopologyConfig config, String dflt) {
    String name = get("window", dflt);
    return config.windows().stream().filter(w -> w.name().equals(name)).findFirst()
        .orElseThrow(() -> ApiError.badRequest("window must be one of "
            + config.windows().stream().map(WindowSpec::name).toList() + ", got '" + name + "'"));
  }

  /** A [from, to] range, defaulting to the {@code dfltSpanMs} before {@code dfltTo}; at most 31 days. */
  long[] range(long dfltTo, long dfltSpanMs) {
    long to = epochMs("to", dfltTo);
    long from = epochMs("from", Math.max(0, to - dfltSpanMs));
    if (from > to) {
      throw ApiError.badRequest("from must not be after to");
    }
    if (to - from > MAX_RANGE_MS) {
      throw ApiError.badRequest("the range from..to may span 31 days at most");
    }
    return new long[] {from, to};
  }

  static String tenant(String raw) {
    return id("tenant", raw);
  }

  /**
   * An id from a (decoded) path segment or parameter, by SPEC 2's one identifier rule ({@link Ids}): every id the
   * pipeline accepts is served, percent-encoded in the URL; anything else is a 400 naming the rule.
   */
  static String id(String what, String raw) {
    var problem = Ids.problem(raw);
    if (problem.isPresent()) {
      throw ApiError.badRequest(what + " id " + problem.get() + " (ids are 1-" + Ids.MAX_LENGTH + " characters, no "
          + "control or format characters, no leading or trailing white space; percent-encode them in the path)");
    }
    return raw;
  }
}
