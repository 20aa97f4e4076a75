package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.HOUR;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import io.marginflow.topology.domain.Rejection;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import io.marginflow.topology.config.TopologyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class IngestRulesTopologyTest {

  private static void assertUsageDeadLettered(TokenUsage bad, String reason) {
    try (TopologyFixture f = new TopologyFixture()) {
      f.send(bad);
      List<TestRecord<byte[], byte[]>> dlq = f.usageDlq.readRecordsToList();
      assertEquals(1, dlq.size(), reason);
      assertEquals(reason, DeadLetterHeaders.get(dlq.get(0).headers(), DeadLetterHeaders.REASON));
      assertEquals("usage.tokens.v1", DeadLetterHeaders.get(dlq.get(0).headers(), DeadLetterHeaders.TOPIC));
      assertEquals("0", DeadLetterHeaders.get(dlq.get(0).headers(), DeadLetterHeaders.OFFSET));
      assertArrayEquals(f.serdes.value(TokenUsage.class).serializer().serialize("usage.tokens.v1", bad), dlq.get(0).value());
      f.closeEverythingAfter(H);
      assertEquals(List.of(), f.margins("1h"), "a dead letter takes no part in any figure");
    }
  }

  private static TokenUsage usage(Consumer<TokenUsage> change) {
    TokenUsage u = request("e1", H, "A", "m", "n1", 100, 10, 50);
    change.accept(u);
    return u;
  }

  @Test
  void shouldDeadLetterEveryBrokenUsageRule() {
    assertUsageDeadLettered(usage(u -> u.setInputTokens(-1)), Rejection.NEGATIVE_TOKENS);
    assertUsageDeadLettered(usage(u -> u.setOutputTokens(-5)), Rejection.NEGATIVE_TOKENS);
    assertUsageDeadLettered(usage(u -> u.setCachedInputTokens(101)), Rejection.CACHED_EXCEEDS_INPUT);
    assertUsageDeadLettered(usage(u -> u.setTenantId("")), Rejection.MISSING_FIELD);
    assertUsageDeadLettered(usage(u -> u.setEventId(" ")), Rejection.MISSING_FIELD);
    assertUsageDeadLettered(usage(u -> u.setNodeId("")), Rejection.MISSING_FIELD);
    assertUsageDeadLettered(usage(u -> u.setModel("")), Rejection.MISSING_FIELD);
    assertUsageDeadLettered(usage(u -> u.setTenantId("t".repeat(129))), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setRequestId("r".repeat(100_000))), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setTenantId("acme\u0000")), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setTenantId("acme\r\nFAKE LINE")), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setTenantId("\u001b[31macme")), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setModel("gpt\u200b")), Rejection.INVALID_ID);          // zero-width space (Cf)
    assertUsageDeadLettered(usage(u -> u.setRegion("\u202eeu-west")), Rejection.INVALID_ID);    // right-to-left override
    assertUsageDeadLettered(usage(u -> u.setNodeId(" n1")), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setEventId("e1\u00a0")), Rejection.INVALID_ID);        // trailing no-break space
    assertUsageDeadLettered(usage(u -> u.setRegion("")), Rejection.INVALID_ID);
    assertUsageDeadLettered(usage(u -> u.setInputTokens(Long.MAX_VALUE)), Rejection.TOO_MANY_TOKENS);
    assertUsageDeadLettered(usage(u -> u.setOutputTokens(100_000_001)), Rejection.TOO_MANY_TOKENS);
    assertUsageDeadLettered(usage(u -> {
      u.setInputTokens(100_000_001);
      u.setCachedInputTokens(100_000_001);
    }), Rejection.TOO_MANY_TOKENS);
    assertUsageDeadLettered(usage(u -> u.setTimestampMs(Instant.ofEpochMilli(946_684_800_000L))), Rejection.TIMESTAMP_TOO_OLD);
    assertUsageDeadLettered(usage(u -> u.setTimestampMs(Instant.now().plusSeconds(3600))), Rejection.FUTURE_TIMESTAMP);
  }

  /**
   * Two requests claiming 2^63 - 1 input tokens each (whose sum wraps a long) on the same node and bucket as A and B:
   * dead-lettered, and A's and B's shares are the hand-computed ones of MarginflowTopologyTest's bucket without them.
   */
  @Test
  void shouldKeepOtherTenantsSharesWhenOneRequestClaimsTooManyTokens() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "262980", 3, 1.25, "2");
      f.price("m", "3.00", "0.30", "15.00");
      f.energyPrice("eu-west", H - HOUR, "0.12");
      for (String gpu : List.of("0", "1")) {
        for (int i = 0; i < 4; i++) {
          f.watts("n1", gpu, H + i * 15_000L, 15_000, 500.0);
        }
      }
      f.send(request("a1", H + 1_000, "A", "m", "n1", 1000, 200, 100));
      f.send(request("x1", H + 1_500, "X", "m", "n1", Long.MAX_VALUE, 0, 0));
      f.send(request("x2", H + 1_600, "X", "m", "n1", Long.MAX_VALUE, 0, 0));
      f.send(request("b1", H + 2_000, "B", "m", "n1", 500, 0, 500));
      f.closeEverythingAfter(H);

      assertEquals(List.of(Rejection.TOO_MANY_TOKENS, Rejection.TOO_MANY_TOKENS), f.usageDlq.readRecordsToList().stream()
          .map(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON)).toList());
      Map<String, TenantMargin> hour = new java.util.TreeMap<>();
      f.margins("1h").forEach(m -> hour.put(m.getTenantId(), m));
      assertEquals(List.of("A", "B"), List.copyOf(hour.keySet()), "X takes no part in any figure");
      // C = 202,500,000 nanos split by weight 1220 : 2500 (of 3720): A floor(66,411,290.32), B 136,088,709.68 + 1 nano.
      assertEquals(new BigDecimal("0.066411290"), hour.get("A").getTotalCostUsd());
      assertEquals(new BigDecimal("0.136088710"), hour.get("B").getTotalCostUsd());
      assertEquals(1000 + 500, hour.get("A").getInputTokens() + hour.get("B").getInputTokens());
      assertEquals(new BigDecimal("0.009000000"), hour.get("B").getRevenueUsd());
    }
  }

  /** An original larger than a dead letter keeps is cut to its bound, with its size in a header: writing never fails. */
  @Test
  void shouldBoundTheBytesOfAnOversizedDeadLetter() {
    try (TopologyFixture f = new TopologyFixture()) {
      byte[] huge = new byte[DeadLetterHeaders.MAX_VALUE_BYTES + 10_000];
      java.util.Arrays.fill(huge, (byte) 'x');
      byte[] hugeKey = new byte[5_000];
      java.util.Arrays.fill(hugeKey, (byte) 'k');
      f.usageRaw.pipeInput(hugeKey, huge);
      TestRecord<byte[], byte[]> dead = f.usageDlq.readRecord();
      assertEquals(Rejection.DESERIALIZATION, DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON));
      assertArrayEquals(java.util.Arrays.copyOf(huge, DeadLetterHeaders.MAX_VALUE_BYTES), dead.value());
      assertEquals(Integer.toString(huge.length), DeadLetterHeaders.get(dead.headers(),
          DeadLetterHeaders.ORIGINAL_VALUE_BYTES));
      assertArrayEquals(java.util.Arrays.copyOf(hugeKey, DeadLetterHeaders.MAX_KEY_BYTES), dead.key());
      assertEquals("5000", DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.ORIGINAL_KEY_BYTES));
      org.apache.kafka.common.header.internals.RecordHeaders bulky = new org.apache.kafka.common.header.internals
          .RecordHeaders();
      bulky.add("trace", new byte[DeadLetterHeaders.MAX_ORIGINAL_HEADER_BYTES + 1]);
      f.usageRaw.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), "{bad".getBytes(StandardCharsets.UTF_8),
          bulky));
      TestRecord<byte[], byte[]> headerHeavy = f.usageDlq.readRecord();
      assertEquals(null, headerHeavy.headers().lastHeader("trace"), "original headers over the bound are dropped");
      assertEquals(Integer.toString(DeadLetterHeaders.MAX_ORIGINAL_HEADER_BYTES + 1 + "trace".length()),
          DeadLetterHeaders.get(headerHeavy.headers(), DeadLetterHeaders.ORIGINAL_HEADER_BYTES));
      assertEquals(Rejection.DESERIALIZATION, DeadLetterHeaders.get(headerHeavy.headers(), DeadLetterHeaders.REASON));
    }
  }

  @Test
  void shouldDeadLetterBytesThatAreNotAvroWithTheOriginalBytes() {
    try (TopologyFixture f = new TopologyFixture()) {
      byte[] garbage = "{not avro".getBytes(StandardCharsets.UTF_8);
      f.usageRaw.pipeInput("acme".getBytes(StandardCharsets.UTF_8), garbage);
      TestRecord<byte[], byte[]> dead = f.usageDlq.readRecord();
      assertArrayEquals(garbage, dead.value());
      assertArrayEquals("acme".getBytes(StandardCharsets.UTF_8), dead.key());
      assertEquals(Rejection.DESERIALIZATION, DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.REASON));
      assertTrue(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.DETAIL).contains("magic byte"));
    }
  }

  @Test
  void shouldDeadLetterANullValueWithoutTheTickHeaderAndTakeATickWithOne() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.usageRaw.pipeInput("acme".getBytes(StandardCharsets.UTF_8), (byte[]) null);
      f.powerRaw.pipeInput("n1".getBytes(StandardCharsets.UTF_8), (byte[]) null);
      f.usageRaw.pipeInput("acme".getBytes(StandardCharsets.UTF_8), new byte[0]);
      f.tick(H);
      List<TestRecord<byte[], byte[]>> usageDead = f.usageDlq.readRecordsToList();
      assertEquals(List.of(Rejection.NULL_VALUE, Rejection.DESERIALIZATION), usageDead.stream()
          .map(d -> DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.REASON)).toList());
      assertEquals(null, usageDead.get(0).value());
      assertArrayEquals("acme".getBytes(StandardCharsets.UTF_8), usageDead.get(0).key());
      assertEquals(Rejection.NULL_VALUE, DeadLetterHeaders.get(f.powerDlq.readRecord().headers(), DeadLetterHeaders.REASON));
      assertTrue(f.usageDlq.isEmpty() && f.powerDlq.isEmpty(), "the null-valued ticks are not dead letters");
    }
  }

  @Test
  void shouldDeadLetterEveryBrokenPowerRule() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.watts("n1", "0", H, 15_000, 10_000.5);
      f.watts("n1", "0", H, 15_000, -1);
      f.watts("n1", "0", H, 0, 500);
      f.watts("n1", "0", H, 3_600_001, 500);
      f.watts("n1", "", H, 15_000, 500);
      f.watts("n1", "0", Instant.now().plusSeconds(600).toEpochMilli(), 15_000, 500);
      f.watts("n".repeat(300), "0", H, 15_000, 500);
      f.watts("n1", "g".repeat(129), H, 15_000, 500);
      f.watts("n1", "gpu\t0", H, 15_000, 500);
      List<String> reasons = f.powerDlq.readRecordsToList().stream()
          .map(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON)).toList();
      assertEquals(List.of(Rejection.POWER_OUT_OF_RANGE, Rejection.POWER_OUT_OF_RANGE, Rejection.INTERVAL_OUT_OF_RANGE,
          Rejection.INTERVAL_OUT_OF_RANGE, Rejection.MISSING_FIELD, Rejection.FUTURE_TIMESTAMP, Rejection.INVALID_ID,
          Rejection.INVALID_ID, Rejection.INVALID_ID), reasons);
    }
  }

  /** dedup.horizon is 1 h of event time, inclusive, whatever hour boundaries lie between two copies. */
  @Test
  void shouldTreatTheDedupHorizonExactlyAcrossHourBoundaries() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "1", "1", "1");
      long first = H + 50 * 60_000;                                   // 50 min into an hour
      f.send(request("x", first, "A", "m", "n1", 1_000_000, 0, 0));   // kept
      f.send(request("x", first + HOUR, "A", "m", "n1", 1_000_000, 0, 0));       // exactly 1 h later: duplicate
      f.send(request("x", first + HOUR + 1, "A", "m", "n1", 1_000_000, 0, 0));   // 1 h + 1 ms later: kept
      f.send(request("x", first + HOUR + 2, "A", "m", "n1", 1_000_000, 0, 0));   // within 1 h of the second: duplicate
      f.send(request("y", first + 2 * HOUR + 2, "A", "m", "n1", 1_000_000, 0, 0)); // another id: kept
      f.closeEverythingAfter(first + 2 * HOUR + 2);
      assertEquals(List.of(1L, 1L, 1L), f.margins("1h").stream().filter(m -> m.getTenantId().equals("A"))
          .map(TenantMargin::getRequests).toList(), "hours H, H+1, H+2: one kept request each");
    }
  }

  @Test
  void shouldCountDuplicatesOnce() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "0", 3, 1.0, "0");
      f.price("m", "1", "1", "1");
      f.send(request("dup", H, "A", "m", "n1", 1_000_000, 0, 0));
      f.send(request("dup", H, "A", "m", "n1", 1_000_000, 0, 0));
      f.send(request("dup", H + 30 * 60_000, "A", "m", "n1", 1_000_000, 0, 0));
      f.watts("n1", "0", H, 60_000, 600);
      f.watts("n1", "0", H, 60_000, 600);
      f.closeEverythingAfter(H + 30 * 60_000);
      TenantMargin a = f.margins("1h").get(0);
      assertEquals(1, a.getRequests());
      assertEquals(new BigDecimal("1.000000000"), a.getRevenueUsd());
      // one sample: 600 W x 60 s = 36,000 J = 0.01 kWh x 0.10 default price
      assertEquals(new BigDecimal("0.001000000"), a.getEnergyCostUsd());
    }
  }

  @Test
  void shouldSetAsideLateEventsWithoutChangingFigures() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "1", "1", "1");
      f.send(request("on-time", H, "A", "m", "n1", 1_000_000, 0, 0));
      f.send(request("later", H + 7 * 60_000, "A", "m", "n1", 1_000_000, 0, 0));
      TokenUsage late = request("late", H + 1_000, "A", "m", "n1", 5_000_000, 0, 0);
      f.send(late);
      TestRecord<byte[], byte[]> setAside = f.usageLate.readRecord();
      assertEquals(Rejection.LATE, DeadLetterHeaders.get(setAside.headers(), DeadLetterHeaders.REASON));
      assertEquals(Long.toString(H), DeadLetterHeaders.get(setAside.headers(), DeadLetterHeaders.LATE_BUCKET_START));
      assertEquals(Long.toString(H + 60_000), DeadLetterHeaders.get(setAside.headers(), DeadLetterHeaders.LATE_BUCKET_END));
      f.closeEverythingAfter(H + 7 * 60_000);
      TenantMargin a = f.margins("1h").get(0);
      assertEquals(2, a.getRequests());
      assertEquals(new BigDecimal("2.000000000"), a.getRevenueUsd());
    }
  }

  @Test
  void shouldNotLetAFutureClockCloseWindows() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "1", "1", "1");
      f.send(request("future", Instant.now().plusSeconds(86_400).toEpochMilli(), "A", "m", "n1", 1, 0, 0));
      f.send(request("old-but-on-time", H, "A", "m", "n1", 1_000_000, 0, 0));
      assertTrue(f.usageLate.isEmpty());
      f.closeEverythingAfter(H);
      assertEquals(1, f.margins("1h").get(0).getRequests());
    }
  }

  @Test
  void shouldPriceEachBucketAtTheEnergyPriceInForceAtItsStart() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "0", 3, 1.0, "0");
      f.energyPrice("eu-west", H - HOUR, "0.10");
      f.watts("n1", "0", H, 60_000, 600);
      f.watts("n1", "0", H + 30 * 60_000, 60_000, 600);
      // arrives after both buckets' samples, before either is final; applies from the second bucket on
      f.energyPrice("eu-west", H + 30 * 60_000, "0.30");
      f.closeEverythingAfter(H + 30 * 60_000);
      TenantMargin idle = f.margins("1h").get(0);
      // 0.01 kWh x 0.10 + 0.01 kWh x 0.30
      assertEquals(new BigDecimal("0.004000000"), idle.getEnergyCostUsd());
    }
  }

  @Test
  void shouldUseTheDefaultProfileForAnUnknownNodeAndCountUnpricedRequests() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.energyPrice("default", H - HOUR, "0.50");
      f.send(request("r1", H, "A", "unknown-model", "mystery-node", 1000, 0, 0));
      f.watts("mystery-node", "0", H, 60_000, 600);
      f.closeEverythingAfter(H);
      TenantMargin a = f.margins("1h").get(0);
      assertEquals(1, a.getUnpricedRequests());
      assertEquals(new BigDecimal("0E-9"), a.getRevenueUsd());
      // default node: PUE 1, no fixed cost, region "default" priced at 0.50: 0.01 kWh -> 0.005
      assertEquals(new BigDecimal("0.005000000"), a.getTotalCostUsd());
      assertEquals(new BigDecimal("0E-9"), a.getFixedCostUsd());
    }
  }

  /** Opt-in idle advance: with no ticks and no traffic, the wall clock still closes the windows. */
  @Test
  void shouldCloseWindowsOfSilentPartitionsWhenIdleAdvanceIsOn() {
    TopologyConfig config = TopologyConfig.with(Map.of("watermark.idle-timeout", "1m"), 1);
    try (TopologyFixture f = new TopologyFixture(config)) {
      f.price("m", "1", "1", "1");
      long recent = Instant.now().minusSeconds(600).toEpochMilli();
      f.send(request("r", recent, "A", "m", "n1", 1_000_000, 0, 0));
      f.driver.advanceWallClockTime(Duration.ofSeconds(30));
      assertTrue(f.margins.isEmpty(), "not idle long enough yet");
      f.driver.advanceWallClockTime(Duration.ofHours(2));
      List<TenantMargin> hour = f.margins("1h");
      assertEquals(1, hour.size());
      assertEquals(1, hour.get(0).getRequests());
    }
  }

  @Test
  void shouldNotAdvanceIdlePartitionsByDefault() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "1", "1", "1");
      f.send(request("r", Instant.now().minusSeconds(600).toEpochMilli(), "A", "m", "n1", 1_000_000, 0, 0));
      f.driver.advanceWallClockTime(Duration.ofHours(2));
      assertTrue(f.margins.isEmpty(), "without ticks or idle advance, windows wait for progress");
    }
  }

  @Test
  void shouldIgnoreTicksFromTheFuture() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "1", "1", "1");
      f.tick(Instant.now().plusSeconds(86_400).toEpochMilli());
      f.send(request("r", H, "A", "m", "n1", 1_000_000, 0, 0));
      assertTrue(f.usageLate.isEmpty());
      assertTrue(f.margins.isEmpty());
    }
  }

}
