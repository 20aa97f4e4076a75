package io.marginflow.topology.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WatermarkLagTest {

  @Test
  void shouldReportEachPartitionsEventTimeBehindTheWallClock() {
    AtomicLong now = new AtomicLong(1_000_000);
    WatermarkLag lag = new WatermarkLag(3, now::get);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    lag.bindTo(registry);
    assertEquals(6, registry.getMeters().size(), "every usage and power partition, before any record");
    assertTrue(Double.isNaN(lag.lagSeconds("usage", 1)), "unknown until processed here");
    lag.slot("usage", 1).set(940_000);
    assertEquals(60.0, lag.lagSeconds("usage", 1));
    now.addAndGet(30_000);
    assertEquals(90.0, registry.get(WatermarkLag.METRIC).tag("source", "usage").tag("partition", "1").gauge().value(),
        "a silent partition's lag grows with the wall clock");
    lag.slot("power", 9).set(0);
    assertTrue(Double.isNaN(lag.lagSeconds("power", 9)), "a partition this app does not have is ignored");
  }
}
