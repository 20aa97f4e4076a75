package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.schemas.Ids;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdsTest {
  /** 128 characters with spaces, '/', '%', '?', '#', '+', non-ASCII letters and a character outside the BMP. */
  static final String ODD_128 = padTo128("tenant / été + 100% ? #x 東京 😀 ");

  static String padTo128(String s) {
    return s + "z".repeat(128 - s.length());
  }

  @Test
  void shouldAcceptEveryIdOfOneTo128CharactersWithoutControlsOrEdgeSpace() {
    assertEquals(128, ODD_128.length());
    for (String ok : List.of("a", ODD_128, "acme-corp", "a b", "x/y", "..", "Ünïcödé", "tenant:7@eu")) {
      assertTrue(Ids.valid(ok), ok);
    }
  }

  @Test
  void shouldRefuseEmptyTooLongControlFormatAndEdgeSpace() {
    for (String bad : List.of("", "a".repeat(129), ODD_128 + "z", "a\u0000b", "a\r\nb", "\u001b[31m", "a\u007f",
        "a\u0085b", "zero\u200bwidth", "\u202eevil", "\ufeffbom", " lead", "trail ", "tab\t", "nbsp\u00a0",
        "\u2003em", "lone\ud800")) {
      assertFalse(Ids.valid(bad), bad);
    }
    assertEquals("has 129 characters (at most 128)", Ids.problem("a".repeat(129)).orElseThrow());
    assertEquals("has the control or format character U+0000 at position 1", Ids.problem("a\u0000").orElseThrow());
  }

  @Test
  void shouldPrintIdsEscapedSoThatNoneCanForgeALineOrAnEscapeSequence() {
    assertEquals("acme\\u000D\\u000AFAKE \\u001B[31m\\u0000", Ids.printable("acme\r\nFAKE \u001b[31m\u0000"));
    assertEquals("a\\u005Cu000Ab", Ids.printable("a\\u000Ab"), "a literal backslash is escaped too");
    assertEquals("été 東京 😀", Ids.printable("été 東京 😀"));
    assertEquals("x".repeat(256) + "...(300 chars)", Ids.printable("x".repeat(300)));
    assertEquals("null", Ids.printable(null));
    assertEquals("tag\\u{E0041}", Ids.printable("tag\uDB40\uDC41"), "a format character beyond the BMP (U+E0041)");
    assertFalse(Ids.valid("tag\uDB40\uDC41"));
  }

  @Test
  void shouldReadTokenCountsExactlyAndNeverWrapOrRound() {
    Validation v = Validation.DEFAULTS;
    assertEquals(100_000_000L, v.count("input_tokens", "100000000").value());
    assertEquals(1000L, v.count("input_tokens", "1e3").value());
    assertEquals(7L, v.count("input_tokens", new BigDecimal("7.000")).value());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "100000001").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "18446744073709551621").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "9223372036854775807").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "1e30").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "1e999999999").rejection().reason());
    assertEquals(Rejection.INVALID_TOKENS, v.count("input_tokens", "2.5").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "1e2147483647").rejection().reason());
    assertEquals(Rejection.INVALID_TOKENS, v.count("input_tokens", "1e-2147483647").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, v.count("input_tokens", "9".repeat(70)).rejection().reason());
    assertEquals(Rejection.INVALID_TOKENS, v.count("input_tokens", "1e-999999999").rejection().reason());
    assertEquals(Rejection.INVALID_TOKENS, v.count("input_tokens", "NaN").rejection().reason());
    assertEquals(Rejection.INVALID_TOKENS, v.count("input_tokens", "").rejection().reason());
    assertEquals(Rejection.NEGATIVE_TOKENS, v.count("input_tokens", "-1").rejection().reason());
    assertEquals(Rejection.NEGATIVE_TOKENS, v.count("input_tokens", "-1e30").rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, new Validation(0, 10).count("output_tokens", "11").rejection().reason());
  }
}
