package io.marginflow.schemas;

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
   * {@code s} as a console or log shows it: control, format and unpaired surrogate characters (and the backslash, so
   * that the escaping cannot be forged) as {@code \\uXXXX} escapes (code points beyond the BMP as {@code \\u{XXXXX}}),
   * at most {@code 2 * MAX_LENGTH} characters kept. Null stays "null".
   */
  public static String printable(CharSequence s) {
    if (s == null) {
      return "null";
    }
    int limit = 2 * MAX_LENGTH;
    if (s.length() <= limit) {
      return escaped(s);
    }
    int end = Character.isHighSurrogate(s.charAt(limit - 1)) ? limit - 1 : limit;
    return escaped(s.subSequence(0, end)) + "...(" + s.length() + " chars)";
  }

  /** {@link #printable} without the length limit: for a whole line that holds ids. */
  public static String escaped(CharSequence s) {
    if (s == null) {
      return "null";
    }
    String text = s.toString();
    StringBuilder b = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int n = Character.charCount(cp);
      boolean escape = cp == '\\' || forbidden(cp) || Character.getType(cp) == Character.SURROGATE;
      if (escape && b == null) {
        b = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (escape) {
        b.append(cp > 0xFFFF ? String.format("\\u{%X}", cp) : String.format("\\u%04X", cp));
      } else if (b != null) {
        b.append(text, i, i + n);
      }
      i += n;
    }
    return b == null ? text : b.toString();
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
