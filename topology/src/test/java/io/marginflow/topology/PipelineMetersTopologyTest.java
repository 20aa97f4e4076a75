package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.metrics.PipelineMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The pipeline's own meters count what the topology did, and exist at zero before anything happened. */
class PipelineMetersTopologyTest {
  @Test
  void shouldCountRecordsDeadLettersDuplicatesBucketsAndUnpriced() {
    try (TopologyFixture f = new TopologyFixture()) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      f.meters.bindTo(registry);
      String before = registry.scrape();
      assertTrue(before.contains("marginflow_dead_letters_total{reason=\"FUTURE_TIMESTAMP\",source=\"power\"} 0.0"), before);
      assertTrue(before.contains("marginflow_alerts_total{kind=\"ZOMBIE_NODE\"} 0.0"), before);

      f.node("n1", "eu", "10000", 4, 1.2, "0.50");
      f.price("m", "1.00", "0.10", "2.00");
      f.send(request("e1", H + 1_000, "A", "m", "n1", 100, 10, 50));
      f.send(request("e1", H + 1_000, "A", "m", "n1", 100, 10, 50));
      f.send(request("e2", H + 2_000, "A", "m", "n1", 100, 101, 50));
      f.send(request("e3", H + 3_000, "B", "unknown-model", "n1", 10, 0, 5));
      f.watts("n1", "0", H, 60_000, 300);
      f.closeEverythingAfter(H);

      PipelineMeters m = f.meters;
      // Four usage records in (the duplicate and the bad one included), one power sample; ticks are not records.
      assertEquals(4, m.count("marginflow.records.in", "source", "usage", "topic", "usage.tokens.v1"));
      assertEquals(1, m.count("marginflow.records.in", "source", "power", "topic", "telemetry.power.v1"));
      assertEquals(1, m.count("marginflow.dead.letters", "source", "usage", "reason", "CACHED_EXCEEDS_INPUT"));
      assertEquals(1, m.count("marginflow.duplicates", "source", "usage"));
      assertEquals(1, m.count("marginflow.unpriced.requests"));
      // One node bucket had data: [H, H + 60 s) of n1; it served requests, so none of its cost went idle.
      assertEquals(1, m.count("marginflow.buckets.finalized"));
      String after = registry.scrape();
      assertTrue(after.contains("marginflow_node_idle_share{node=\"n1\"} 0.0"), after);
      assertTrue(after.contains("marginflow_records_in_total{source=\"usage\",topic=\"usage.tokens.v1\"} 4.0"), after);
      assertTrue(after.contains("marginflow_margin_lag_seconds_count"), after);
    }
  }
}
