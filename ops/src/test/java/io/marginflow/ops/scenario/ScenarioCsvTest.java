package io.marginflow.ops.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.Budget;
import io.marginflow.avro.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario files are read by their header's column names (SPEC 7). */
class ScenarioCsvTest {
  @Test
  void shouldReadColumnsByNameInAnyOrderIgnoringExtras(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(Scenario.USAGE), String.join("\n",
        "output_tokens,note,node_id,tenant_id,event_id,timestamp_ms,model,region,cached_input_tokens,input_tokens,api_key_id",
        "40,ignored,n1,acme,e1,1767571200000,m,eu,5,100,key-7",
        ""));
    TokenUsage u = Scenario.read(dir).usage().get(0).record();
    assertEquals("e1", u.getEventId());
    assertEquals(1767571200000L, u.getTimestampMs().toEpochMilli());
    assertEquals("acme", u.getTenantId());
    assertEquals("n1", u.getNodeId());
    assertEquals(100, u.getInputTokens());
    assertEquals(5, u.getCachedInputTokens());
    assertEquals(40, u.getOutputTokens());
    assertEquals("key-7", u.getApiKeyId());
  }

  /** Counts beyond 64 bits, 1e30 and fractions are refused with SPEC 2's reasons, never wrapped or rounded. */
  @Test
  void shouldRefuseTokenCellsThatDoNotFitTheirTypeWithTheirReasons(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(Scenario.USAGE), String.join("\n",
        "event_id,timestamp_ms,tenant_id,model,region,node_id,input_tokens,cached_input_tokens,output_tokens",
        "e1,1767571200000,acme,m,eu,n1,18446744073709551621,0,1",
        "e2,1767571200000,acme,m,eu,n1,1e30,0,1",
        "e3,1767571200000,acme,m,eu,n1,10,2.5,1",
        "e4,1767571200000,acme,m,eu,n1,10,0,-1e30",
        "e5,1767571200000,acme,m,eu,n1,9223372036854775807,0,1e3",
        ""));
    List<Scenario.Row<TokenUsage>> rows = Scenario.read(dir).usage();
    assertEquals(java.util.Arrays.asList("TOO_MANY_TOKENS", "TOO_MANY_TOKENS", "INVALID_TOKENS", "NEGATIVE_TOKENS", null),
        rows.stream().map(Scenario.Row::reason).toList());
    assertTrue(rows.get(0).error().contains("input_tokens 18446744073709551621"), rows.get(0).error());
    // A count that fits 64 bits goes on: the pipeline applies ingest.max-tokens-per-request to it.
    assertEquals(Long.MAX_VALUE, rows.get(4).record().getInputTokens());
    assertEquals(1000, rows.get(4).record().getOutputTokens());
  }

  @Test
  void shouldRefuseAHeaderWithoutARequiredColumnNamingFileAndColumn(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(Scenario.POWER), "foo,bar\n1,2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.read(dir));
    assertTrue(e.getMessage().contains("power.csv") && e.getMessage().contains("'timestamp_ms'"), e.getMessage());
  }

  @Test
  void shouldKeepShortRowsAsUnparseableAndDefaultTheThresholds(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(Scenario.BUDGETS), "limit_usd,tenant_id,metric,period\n250,acme,SPEND,daily\n12\n");
    List<Scenario.Row<Budget>> rows = Scenario.read(dir).budgets();
    assertEquals(List.of(0.5, 0.8, 1.0), rows.get(0).record().getThresholds());
    assertEquals(0, rows.get(0).record().getLimitUsd().compareTo(new java.math.BigDecimal("250")));
    assertEquals(null, rows.get(1).record());
    assertEquals(3, rows.get(1).line().number());
    assertTrue(rows.get(1).error().contains("no field for column"), rows.get(1).error());
  }
}
