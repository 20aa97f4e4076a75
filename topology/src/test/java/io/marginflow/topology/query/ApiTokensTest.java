package io.marginflow.topology.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** http.tokens: every id the pipeline accepts can have a token; start-up lines count tokens, never show them. */
class ApiTokensTest {
  @Test
  void shouldDescribeTokensWithoutShowingThem() {
    ApiTokens tokens = ApiTokens.parse("http.tokens", "s3cret-admin=admin,s3cret-t7=tenant-7,s3cret-x=a%2Cb");
    String line = tokens.describe();
    assertEquals("3 token(s) configured: 1 admin, 2 tenant", line);
    assertFalse(line.contains("s3cret"), line);
    assertTrue(ApiTokens.parse("http.tokens", "").describe().startsWith("no token configured"));
  }

  @Test
  void shouldDecodePercentEncodedTenantsAndRefuseInvalidIds() {
    assertEquals("a,b =c+", ApiTokens.parse("http.tokens", "t=a%2Cb%20%3Dc+").authenticate("Bearer t").name());
    assertThrows(ConfigException.class, () -> ApiTokens.parse("http.tokens", "t=a%00b"));
    assertThrows(ConfigException.class, () -> ApiTokens.parse("http.tokens", "t=" + "x".repeat(129)));
    assertThrows(ConfigException.class, () -> ApiTokens.parse("http.tokens", "t=%ZZ"));
  }
}
