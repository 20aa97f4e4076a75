package io.marginflow.bench.jmh;

import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.UsageCharge;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.serde.ConfluentAvroSerde;
import io.marginflow.topology.domain.Weights;
import io.marginflow.topology.ingest.UsageLines;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What ingest sends toward the attribution, per request: summed into lines and one record serialized per line (1,000
 * requests over 100 lines here), against the plain alternative of one serialized record per request.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LinesBench extends HotPath {
  private static final int REQUESTS = 1_000;
  private static final String TOPIC = "marginflow-usage-by-node-repartition";
  private final ConfluentAvroSerde<AttributionInput> serde = new Fixtures().serde(AttributionInput.class);
  private final BigDecimal revenue = new BigDecimal("0.009150000000000000");

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public void summedIntoLines(Blackhole bh) {
    UsageLines lines = new UsageLines(Weights.DEFAULT);
    for (int i = 0; i < REQUESTS; i++) {
      lines.add(Fixtures.T0, "node-" + (i % 10), "tenant-" + (i / 10 % 10), "m", "r", 1_200, 300, 400, revenue, true);
    }
    for (UsageLine line : lines.drain()) {
      bh.consume(serde.serializer().serialize(TOPIC, AttributionInput.newBuilder().setLine(line).build()));
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
