package io.marginflow.it;

import java.util.regex.Pattern;

/** SPEC 2's identifier rule and token bound, written here apart from the pipeline's, for the references. */
final class ReferenceIds {
  /** SPEC 2's ingest.max-tokens-per-request default. */
  static final long MAX_TOKENS = 100_000_000L;
  private static final Pattern NOT_IN_IDS = Pattern.compile("[\\p{Cc}\\p{Cf}]");

  private ReferenceIds() {
  }

  /** 1 to 128 characters, no Cc or Cf character, no white space at either end: every one of {@code ids}. */
  static boolean all(String... ids) {
    for (String s : ids) {
      if (s.isEmpty() || s.length() > 128 || NOT_IN_IDS.matcher(s).find() || edgeSpace(s.charAt(0))
          || edgeSpace(s.charAt(s.length() - 1))) {
        return false;
      }
    }
    return true;
  }

  static boolean withinTokenBound(long... counts) {
    for (long c : counts) {
      if (c > MAX_TOKENS) {
        return false;
      }
    }
    return true;
  }

  private static boolean edgeSpace(char c) {
    return Character.isWhitespace(c) || Character.getType(c) == Character.SPACE_SEPARATOR;
  }
}
