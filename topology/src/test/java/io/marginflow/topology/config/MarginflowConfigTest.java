package io.marginflow.topology.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarginflowConfigTest {

  @Test
  void shouldUseTheSpecDefaults() {
    TopologyConfig c = TopologyConfig.defaults(6);
    assertEquals(300_000, c.maxFutureSkewMs());
    assertEquals(3_600_000, c.dedupHorizonMs());
    assertEquals(60_000, c.bucketMs());
    assertEquals(300_000, c.graceMs());
    assertEquals(List.of(new WindowSpec("1h", 3_600_000, 3_600_000), new WindowSpec("24h", 86_400_000, 3_600_000)),
        c.windows());
    assertEquals("usage.tokens.v1", c.topics().usage());
    assertEquals("0.10", c.defaultUsdPerKwh().toPlainString());
  }

  @Test
  void shouldLayerFileEnvironmentAndOverrides(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("m.properties"), "attribution.grace=2m\nattribution.bucket=30s\n");
    MarginflowConfig c = MarginflowConfig.load(file, Map.of("MARGINFLOW_ATTRIBUTION_GRACE", "3m"),
        Map.of("dedup.horizon", "10m"));
    assertEquals(180_000, c.duration(MarginflowConfig.GRACE).toMillis());
    assertEquals(30_000, c.duration(MarginflowConfig.BUCKET).toMillis());
    assertEquals(600_000, c.duration(MarginflowConfig.DEDUP_HORIZON).toMillis());
  }

  @Test
  void shouldFailOnUnknownOrInvalidKeysNamingThem() {
    ConfigException unknown = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("attribution.gracee", "1m")));
    assertTrue(unknown.getMessage().contains("attribution.gracee"), unknown.getMessage());
    ConfigException bad = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("attribution.grace", "soon")));
    assertTrue(bad.getMessage().contains("attribution.grace"), bad.getMessage());
    ConfigException negative = assertThrows(ConfigException.class,
        () -> MarginflowConfig.of(Map.of("attribution.weight.output", "-1")));
    assertTrue(negative.getMessage().contains("attribution.weight.output"));
    ConfigException fixedOff = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of(
        "pricing.dynamic.enabled", "false", "pricing.fixed-multipliers", "eu-west=1.2")));
    assertTrue(fixedOff.getMessage().contains("pricing.fixed-multipliers") && fixedOff.getMessage().contains(
        "pricing.dynamic.enabled=true"), fixedOff.getMessage());
    ConfigException windows = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("margins.windows", "1h/7m")));
    assertTrue(windows.getMessage().contains("margins.windows"));
    for (Map<String, String> pricing : List.of(Map.of("pricing.floor", "1.2"), Map.of("pricing.ceiling", "0.9"),
        Map.of("pricing.deadband", "0.1"), Map.of("pricing.law", "margin-ratio", "pricing.target-margin", "1.5"),
        Map.of("pricing.interval", "0s"),
        Map.of("pricing.floor", "0.8000000004"), Map.of("pricing.ceiling", "1.5000000006"),
        Map.of("pricing.max-step", "0.0000000001"))) {
      String key = pricing.keySet().stream().filter(k -> !k.equals("pricing.law")).findFirst().orElseThrow();
      ConfigException e = assertThrows(ConfigException.class, () -> MarginflowConfig.of(pricing), key);
      assertTrue(e.getMessage().startsWith("Invalid value " + pricing.get(key) + " for configuration " + key)
          || e.getMessage().contains(key), e.getMessage());
    }
    // A setting of the law not in force is refused rather than ignored (the default law changed in [22/26]).
    ConfigException target = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("pricing.target-margin",
        "0.4")));
    assertTrue(target.getMessage().contains("pricing.target-margin") && target.getMessage().contains("pricing.law=margin-ratio"),
        target.getMessage());
    assertEquals(new java.math.BigDecimal("0.4"), MarginflowConfig.of(Map.of("pricing.law", "margin-ratio",
        "pricing.target-margin", "0.4")).pricingPolicy().targetMargin());
    ConfigException horizon = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("pricing.law",
        "margin-ratio", "pricing.normal-horizon", "2h")));
    assertTrue(horizon.getMessage().contains("pricing.normal-horizon"), horizon.getMessage());
    ConfigException shortHorizon = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of(
        "pricing.normal-horizon", "1m")));
    assertTrue(shortHorizon.getMessage().contains("pricing.normal-horizon"), shortHorizon.getMessage());
    assertEquals(7_200_000L, MarginflowConfig.of(Map.of("pricing.normal-horizon", "2h")).pricingPolicy().normalHorizonMs());
    assertEquals("SASL_SSL", MarginflowConfig.of(Map.of("kafka.security.protocol", "SASL_SSL"))
        .withPrefix("kafka.", true).get("security.protocol"));
  }

  @Test
  void shouldSuggestTheNearestSettingForATypoAndExplainARetiredOne() {
    ConfigException typo = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("atribution.grace", "1m")));
    assertTrue(typo.getMessage().contains("did you mean 'attribution.grace'?"), typo.getMessage());
    ConfigException far = assertThrows(ConfigException.class, () -> MarginflowConfig.of(Map.of("colour", "blue")));
    assertTrue(far.getMessage().contains("unknown setting") && !far.getMessage().contains("did you mean"),
        far.getMessage());
    ConfigException retired = assertThrows(ConfigException.class,
        () -> MarginflowConfig.of(Map.of("attribution.split", "node")));
    assertTrue(retired.getMessage().contains("attribution.split") && retired.getMessage().contains("RUNBOOK"),
        retired.getMessage());
    assertEquals(3, SettingNames.distance("kitten", "sitting"));
    assertEquals(0, SettingNames.distance("", ""));
  }

  @Test
  void shouldListTheWindowsHoldingABucket() {
    WindowSpec day = WindowSpec.parseList("24h/1h").get(0);
    List<Long> starts = day.startsContaining(36 * 3_600_000L + 60_000);
    assertEquals(24, starts.size());
    assertEquals(13 * 3_600_000L, starts.get(0));
    assertEquals(36 * 3_600_000L, starts.get(23));
  }

  @Test
  void shouldHideEverySecretInTheEffectiveConfiguration() {
    MarginflowConfig c = MarginflowConfig.of(Map.of(
        "bootstrap.servers", "broker:9093",
        "http.tokens", "tok-123=admin",
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required password=\"pw-1\";",
        "kafka.ssl.keystore.password", "pw-2",
        "basic.auth.user.info", "u:pw-3",
        "bearer.auth.token", "pw-4",
        "schema.registry.ssl.truststore.password", "pw-5"));
    Map<String, String> effective = c.effective();
    org.junit.jupiter.api.Assertions.assertEquals("broker:9093", effective.get("bootstrap.servers"));
    org.junit.jupiter.api.Assertions.assertEquals("exactly_once_v2", effective.get("processing.guarantee"), "defaults too");
    String text = effective.toString();
    for (String secret : new String[] {"tok-123", "pw-1", "pw-2", "pw-3", "pw-4", "pw-5"}) {
      org.junit.jupiter.api.Assertions.assertFalse(text.contains(secret), secret + " shown in " + text);
    }
    org.junit.jupiter.api.Assertions.assertEquals("[hidden]", effective.get("kafka.sasl.jaas.config"));
  }
}
