package io.marginflow.bench.jmh;

import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.UsageCharge;
import io.marginflow.avro.internal.PartitionLoad;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.avro.internal.UsageLinePack;
import io.marginflow.serde.ConfluentAvroSerde;
import io.marginflow.topology.domain.Weights;
import io.marginflow.topology.ingest.UsageLines;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the usage task writes per request (the two-level split, SPEC 3): requests summed into lines, which it keeps
 * packed per (bucket, node), and one load per (bucket, node) serialized toward the node tasks (1,000 requests over 100
 * lines and 10 nodes here), against the plain alternative of one serialized record per request.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LinesBench extends HotPath {
  private static final int REQUESTS = 1_000;
  private static final String TOPIC = "marginflow-usage-by-node-repartition";
  private final ConfluentAvroSerde<AttributionInput> serde = new Fixtures().serde(AttributionInput.class);
  private static final String STORE = "marginflow-usage-line-pack-store-changelog";
  private final ConfluentAvroSerde<UsageLinePack> packs = new Fixtures().serde(UsageLinePack.class);
  private final BigDecimal revenue = new BigDecimal("0.009150000000000000");

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public void summedIntoLines(Blackhole bh) {
    UsageLines lines = new UsageLines(Weights.DEFAULT);
    for (int i = 0; i < REQUESTS; i++) {
      lines.add(Fixtures.T0, "node-" + (i % 10), "tenant-" + (i / 10 % 10), "m", "r", 1_200, 300, 400, revenue, true);
    }
    List<UsageLine> added = lines.drain();
    for (UsageLinePack pack : UsageLines.packs(added, 1_000)) {
      bh.consume(packs.serializer().serialize(STORE, pack));
    }
    for (PartitionLoad load : UsageLines.loads(added, 0)) {
      bh.consume(serde.serializer().serialize(TOPIC, AttributionInput.newBuilder().setLoad(load).build()));
    }
  }

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public void oneRecordPerRequest(Blackhole bh) {
    for (int i = 0; i < REQUESTS; i++) {
      UsageCharge c = UsageCharge.newBuilder().setEventId("ev-" + i).setTimestampMs(Instant.ofEpochMilli(Fixtures.T0))
          .setTenantId("tenant-" + (i / 10 % 10)).setModel("m").setRegion("r").setNodeId("node-" + (i % 10))
          .setInputTokens(1_200).setCachedInputTokens(300).setOutputTokens(400).setRevenueUsd(revenue).setPriced(true)
          .build();
      bh.consume(serde.serializer().serialize(TOPIC, AttributionInput.newBuilder().setCharge(c).build()));
    }
  }
}
