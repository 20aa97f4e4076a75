package io.marginflow.topology.domain;

import java.util.Optional;

/**
 * SPEC 2's one identifier rule (event, tenant, model, region, node, GPU, API key and request ids): 1 to
 * {@value #MAX_LENGTH} characters, no control or format characters (Unicode Cc, Cf), no leading or trailing white
 * space. Validation, the ingest gateway and the query API all ask this class, so that every id the pipeline accepts can
 * be queried and none can forge a console line. {@link #printable} is how consoles and logs show an id.
 */
public final class Ids {
  /** Longest identifier, in characters (UTF-16 code units, as Java and Avro count a string's length). */
  public static final int MAX_LENGTH = 128;

  private Ids() {
  }

  /** Whether {@code id} follows the rule. */
  public static boolean valid(String id) {
    return problem(id).isEmpty();
  }

  /** What is wrong with {@code id}, in words that name no internals; empty if it follows the rule. */
  public static Optional<String> problem(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.of("is empty");
    }
    if (id.length() > MAX_LENGTH) {
      return Optional.of("has " + id.length() + " characters (at most " + MAX_LENGTH + ")");
    }
    for (int i = 0; i < id.length(); ) {
      int cp = id.codePointAt(i);
      if (forbidden(cp)) {
        return Optional.of(String.format("has the control or format character U+%04X at position %d", cp, i));
      }
      if (Character.getType(cp) == Character.SURROGATE) {
        return Optional.of(String.format("has an unpaired surrogate U+%04X at position %d (not valid Unicode)", cp, i));
      }
      i += Character.charCount(cp);
    }
    if (space(id.codePointAt(0)) || space(id.codePointBefore(id.length()))) {
      return Optional.of("has leading or trailing white space");
    }
    return Optional.empty();
  }

  /**
   * {@code s} as a console or log shows it: control and format characters (and the backslash, so that the escaping
   * cannot be forged) as {@code \\uXXXX} escapes, at most {@code 2 * MAX_LENGTH} characters kept. Null stays "null".
   */
  public static String printable(CharSequence s) {
    if (s == null) {
      return "null";
    }
    int limit = Math.min(s.length(), 2 * MAX_LENGTH);
    StringBuilder b = null;
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      boolean escape = c == '\\' || forbidden(c) || Character.isSurrogate(c) && !pairedSurrogate(s, i);
      if (escape && b == null) {
        b = new StringBuilder(limit + 16).append(s, 0, i);
      }
      if (escape) {
        b.append(String.format("\\u%04X", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    String out = b == null ? s.subSequence(0, limit).toString() : b.toString();
    return s.length() > limit ? out + "...(" + s.length() + " chars)" : out;
  }

  private static boolean pairedSurrogate(CharSequence s, int i) {
    char c = s.charAt(i);
    return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** Unicode Cc (controls) and Cf (format: bidi overrides, zero-width joiners, BOM...). */
  private static boolean forbidden(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT;
  }

  private static boolean space(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }
}
