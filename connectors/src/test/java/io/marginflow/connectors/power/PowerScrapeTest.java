package io.marginflow.connectors.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.connectors.power.EnergyIntegrator.Mark;
import io.marginflow.connectors.power.EnergyIntegrator.Skip;
import io.marginflow.connectors.power.EnergyIntegrator.Step;
import io.marginflow.connectors.power.GpuReadings.GpuKey;
import io.marginflow.connectors.power.GpuReadings.Reading;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exposition text written from DCGM exporter's and Kepler's published formats; every figure worked out by hand. */
class PowerScrapeTest {
  private static final long T0 = 1_767_571_200_000L;

  /** Two H100s on node-01, GPU 1 split into two MIG instances (DCGM repeats the device's power on each). */
  static String dcgm(long gpu0EnergyMj, long gpu1EnergyMj) {
    return """
        # HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).
        # TYPE DCGM_FI_DEV_POWER_USAGE gauge
        DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52",device="nvidia0",\
        modelName="NVIDIA H100 80GB HBM3",Hostname="node-01",DCGM_FI_DRIVER_VERSION="550.54.15"} 331.25
        DCGM_FI_DEV_POWER_USAGE{gpu="1",UUID="GPU-0b2c4f1e-7a9d-4c2b-9e1f-3d5a6b7c8d9e",device="nvidia1",\
        modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="3g.40gb",GPU_I_ID="1",Hostname="node-01"} 210.5
        DCGM_FI_DEV_POWER_USAGE{gpu="1",UUID="GPU-0b2c4f1e-7a9d-4c2b-9e1f-3d5a6b7c8d9e",device="nvidia1",\
        modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="3g.40gb",GPU_I_ID="2",Hostname="node-01"} 210.5
        # HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).
        # TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter
        DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52",device="nvidia0",\
        modelName="NVIDIA H100 80GB HBM3",Hostname="node-01"} %d
        DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1",UUID="GPU-0b2c4f1e-7a9d-4c2b-9e1f-3d5a6b7c8d9e",device="nvidia1",\
        modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="3g.40gb",GPU_I_ID="1",Hostname="node-01"} %d
        DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1",UUID="GPU-0b2c4f1e-7a9d-4c2b-9e1f-3d5a6b7c8d9e",device="nvidia1",\
        modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="3g.40gb",GPU_I_ID="2",Hostname="node-01"} %d
        # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %%).
        # TYPE DCGM_FI_DEV_GPU_UTIL gauge
        DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52",device="nvidia0",\
        modelName="NVIDIA H100 80GB HBM3",Hostname="node-01"} 87
        this line is not a sample
        DCGM_FI_DEV_SM_CLOCK{gpu="0",Hostname="node-01" 1980
        """.formatted(gpu0EnergyMj, gpu1EnergyMj, gpu1EnergyMj);
  }

  @Test
  void shouldParseSamplesLabelsAndCountGarbage() {
    PrometheusText.Parsed p = PrometheusText.parse(dcgm(1, 2) + "up{job=\"a\\\"b\",x=\"l\\\\n\"} NaN 1767571200000\n");
    assertEquals(2, p.garbageLines(), "the sentence and the unclosed label set");
    assertEquals(8, p.samples().size());
    PrometheusText.Sample up = p.samples().get(7);
    assertEquals("a\"b", up.label("job"));
    assertEquals("l\\n", up.label("x"));
    assertTrue(Double.isNaN(up.value()));
    assertEquals(1_767_571_200_000L, up.timestampMs());
  }

  @Test
  void shouldReadEachPhysicalGpuOnceWithMig() {
    Map<GpuKey, Reading> r = GpuReadings.of(PrometheusText.parse(dcgm(1_000_000_000L, 2_000_000_000L)).samples(),
        GpuMetrics.dcgm(), null);
    assertEquals(2, r.size(), "GPU 1's two MIG instances are one GPU: " + r);
    // 1,000,000,000 mJ = 1,000,000 J; utilization 87 % = 0.87; GPU 1 has no utilization (MIG).
    assertEquals(new Reading(1_000_000.0, 331.25, 0.87), r.get(new GpuKey("node-01", "0")));
    assertEquals(new Reading(2_000_000.0, 210.5, null), r.get(new GpuKey("node-01", "1")));
    assertEquals(2, GpuReadings.of(PrometheusText.parse(dcgm(1, 2)).samples(), GpuMetrics.dcgm(), "node-x").keySet()
        .stream().filter(k -> k.node().equals("node-x")).count(), "a node configured for the endpoint wins");
  }

  /** Node labels the pipeline would refuse (SPEC 2's identifier rule) are skipped, not sent to be dead-lettered. */
  @Test
  void shouldSkipSeriesWhoseNodeOrGpuIsNoValidIdAndRefuseABadConfiguredNode() {
    String text = "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",Hostname=\"" + "n".repeat(200) + "\"} 300\n"
        + "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",Hostname=\"node\\n02\"} 300\n"
        + "DCGM_FI_DEV_POWER_USAGE{gpu=\" 1\",Hostname=\"node-03\"} 300\n"
        + "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",Hostname=\"node-04\"} 300\n";
    Map<GpuKey, Reading> r = GpuReadings.of(PrometheusText.parse(text).samples(), GpuMetrics.dcgm(), null);
    assertEquals(java.util.Set.of(new GpuKey("node-04", "0")), r.keySet());
    org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.config.ConfigException.class,
        () -> PowerSourceConfig.endpoint("  =http://127.0.0.1:9400/metrics"));
    assertEquals("node-05", PowerSourceConfig.endpoint("node-05=http://127.0.0.1:9400/metrics").node());
  }

  @Test
  void shouldIntegrateTheEnergyCounterExactly() {
    Map<GpuKey, Reading> first = readings(dcgm(1_000_000_000L, 2_000_000_000L));
    Map<GpuKey, Reading> second = readings(dcgm(1_004_800_000L, 2_003_000_000L));
    GpuKey gpu0 = new GpuKey("node-01", "0");
    Step s0 = EnergyIntegrator.step(null, first.get(gpu0), T0);
    assertEquals(Skip.FIRST_SCRAPE, s0.skipped());
    Step s1 = EnergyIntegrator.step(s0.mark(), second.get(gpu0), T0 + 15_000);
    // 4,800,000 mJ = 4,800 J over 15 s = 320 W (the gauge's 331.25 W is an instant, not the interval's mean).
    assertEquals(new EnergyIntegrator.Interval(T0, 15_000, 320.0, 0.87), s1.sample());
    GpuKey gpu1 = new GpuKey("node-01", "1");
    Step g1 = EnergyIntegrator.step(EnergyIntegrator.step(null, first.get(gpu1), T0).mark(), second.get(gpu1), T0 + 15_000);
    // 3,000,000 mJ = 3,000 J over 15 s = 200 W, counted once though two MIG instances report it.
    assertEquals(200.0, g1.sample().avgPowerWatts());
  }

  @Test
  void shouldNeverProduceNegativeOrDoubledEnergyOnACounterReset() {
    Mark before = new Mark(5_000_000.0, T0);
    Step withGauge = EnergyIntegrator.step(before, new Reading(1_200.0, 305.0, null), T0 + 15_000);
    assertTrue(withGauge.counterReset());
    assertEquals(305.0, withGauge.sample().avgPowerWatts(), "the gauge stands in for the interval of the reset");
    assertEquals(1_200.0, withGauge.mark().energyJoules(), "the next interval integrates from the new counter");
    Step next = EnergyIntegrator.step(withGauge.mark(), new Reading(1_200.0 + 4_650.0, 310.0, null), T0 + 30_000);
    assertEquals(310.0, next.sample().avgPowerWatts(), "4,650 J over 15 s");
    Step without = EnergyIntegrator.step(before, new Reading(1_200.0, null, null), T0 + 15_000);
    assertNull(without.sample());
    assertEquals(Skip.COUNTER_RESET, without.skipped());
  }

  @Test
  void shouldSkipGapsClockStepsAndGpusWithoutPower() {
    Mark m = new Mark(100.0, T0);
    assertEquals(Skip.GAP, EnergyIntegrator.step(m, new Reading(200.0, null, null), T0 + 3_600_001).skipped());
    Step back = EnergyIntegrator.step(m, new Reading(200.0, null, null), T0 - 1);
    assertEquals(Skip.CLOCK_WENT_BACK, back.skipped());
    assertEquals(m, back.mark(), "the older mark stays: nothing is integrated twice");
    assertEquals(Skip.NO_POWER, EnergyIntegrator.step(new Mark(null, T0), new Reading(null, null, 0.5), T0 + 15_000).skipped());
    Step gaugeOnly = EnergyIntegrator.step(new Mark(null, T0), new Reading(null, 250.0, null), T0 + 30_000);
    assertEquals(new EnergyIntegrator.Interval(T0, 30_000, 250.0, null), gaugeOnly.sample());
  }

  @Test
  void shouldReadKeplersJoulesCounter() {
    String kepler = """
        # HELP kepler_node_gpu_joules_total Aggregated GPU energy consumption in joules
        # TYPE kepler_node_gpu_joules_total counter
        kepler_node_gpu_joules_total{gpu="0",gpu_uuid="GPU-aa",node_name="worker-3",vendor="nvidia"} %s
        kepler_node_gpu_watts{gpu="0",gpu_uuid="GPU-aa",node_name="worker-3",vendor="nvidia"} 290
        """;
    GpuKey gpu = new GpuKey("worker-3", "0");
    Reading a = GpuReadings.of(PrometheusText.parse(kepler.formatted("81234.5")).samples(), GpuMetrics.kepler(), null).get(gpu);
    Reading b = GpuReadings.of(PrometheusText.parse(kepler.formatted("90234.5")).samples(), GpuMetrics.kepler(), null).get(gpu);
    // 9,000 J over 30 s = 300 W.
    assertEquals(300.0, EnergyIntegrator.step(new Mark(a.energyJoules(), T0), b, T0 + 30_000).sample().avgPowerWatts());
  }

  private static Map<GpuKey, Reading> readings(String text) {
    return GpuReadings.of(PrometheusText.parse(text).samples(), GpuMetrics.dcgm(), null);
  }
}
