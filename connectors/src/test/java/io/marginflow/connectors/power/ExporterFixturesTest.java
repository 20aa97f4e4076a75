package io.marginflow.connectors.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.connectors.power.EnergyIntegrator.Step;
import io.marginflow.connectors.power.GpuReadings.GpuKey;
import io.marginflow.connectors.power.GpuReadings.Reading;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exposition text published by others (each file under src/test/resources/exposition names its origin in its first
 * lines): a released dcgm-exporter scrape, dcgm-exporter's own test fixture after the Hostname -> hostname rename, two
 * A30s in MIG mode from a dcgm-exporter issue, and a Kepler 0.7-line node scrape. Watts per interval by hand.
 */
class ExporterFixturesTest {
  private static final long T0 = 1_767_571_200_000L;

  static String fixture(String name) throws IOException {
    try (InputStream in = ExporterFixturesTest.class.getResourceAsStream("/exposition/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Map<GpuKey, Reading> read(String text, GpuMetrics m) {
    return GpuReadings.of(PrometheusText.parse(text).samples(), m, null);
  }

  /** NVIDIA L40S: 5,551,899,580 mJ, 35.686 W, 0 %; 15 s later the counter has moved 4,800,000 mJ: 320 W. */
  @Test
  void shouldIntegrateAReleasedDcgmExporterScrape() throws Exception {
    String first = fixture("dcgm-exporter_released_L40S.prom");
    GpuKey gpu = new GpuKey("gpu1-wl8sg", "0");
    Reading r0 = read(first, GpuMetrics.dcgm()).get(gpu);
    assertEquals(new Reading(5_551_899.580, 35.686, 0.0), r0);
    Reading r1 = read(first.replace("} 5551899580", "} 5556699580"), GpuMetrics.dcgm()).get(gpu);
    Step step = EnergyIntegrator.step(new EnergyIntegrator.Mark(r0.energyJoules(), T0), r1, T0 + 15_000);
    assertEquals(320.0, step.sample().avgPowerWatts(), 1e-6, "4,800 J / 15 s");
    assertEquals(0.0, step.sample().utilization());
  }

  /** dcgm-exporter's test fixture on main (PR #655): the node label is hostname; read as Hostname was. */
  @Test
  void shouldReadTheLowercaseHostnameOfDcgmExporterMain() throws Exception {
    String text = fixture("dcgm-exporter_main_hostname_lowercase_testfixture.prom")
        .replace("TEST_METRIC", "DCGM_FI_DEV_POWER_USAGE");
    assertEquals(Map.of(new GpuKey("testhost", "0"), new Reading(null, 42.0, null)), read(text, GpuMetrics.dcgm()));
  }

  /** Two A30s, each split into 1g.6gb MIG instances: one reading per physical GPU, the first instance's power. */
  @Test
  void shouldCountEachMigGpuOnce() throws Exception {
    Map<GpuKey, Reading> r = read(fixture("dcgm-exporter_mig_A30_issue317.prom"), GpuMetrics.dcgm());
    String node = "yg-data-k8s-gpu-a30-node-test-test0003.mt";
    assertEquals(Map.of(new GpuKey(node, "0"), new Reading(null, 52.636, null), new GpuKey(node, "1"),
        new Reading(null, 56.121, null)), r);
  }

  /**
   * Kepler's 0.7 line: node from instance, GPU from package, the joules of mode="dynamic" (and "idle", summed);
   * CPU, package and platform series are not GPUs. A second scrape 15 s later with 1,500 J more of dynamic and 750 J
   * more of idle energy is 150 W.
   */
  @Test
  void shouldReadKeplerZeroSevenAndSumItsModes() throws Exception {
    String first = fixture("kepler-0.7-family_node_gpu_graceHopper_pr1884.prom")
        + "kepler_node_gpu_joules_total{instance=\"rhelarm\",mode=\"idle\",package=\"0\",source=\"GRACE HOPPER\"} 1000\n";
    GpuKey gpu = new GpuKey("rhelarm", "0");
    Map<GpuKey, Reading> r0 = read(first, GpuMetrics.kepler());
    assertEquals(java.util.Set.of(gpu), r0.keySet());
    assertEquals(855_620.993, r0.get(gpu).energyJoules(), 1e-6, "854,620.993 dynamic + 1,000 idle");
    assertNull(r0.get(gpu).powerWatts());
    String second = first.replace("} 854620.993", "} 856120.993").replace("} 1000\n", "} 1750\n");
    Step step = EnergyIntegrator.step(new EnergyIntegrator.Mark(r0.get(gpu).energyJoules(), T0),
        read(second, GpuMetrics.kepler()).get(gpu), T0 + 15_000);
    assertEquals(150.0, step.sample().avgPowerWatts(), 1e-6, "2,250 J / 15 s");
  }
}
