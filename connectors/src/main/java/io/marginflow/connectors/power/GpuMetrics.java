package io.marginflow.connectors.power;

/**
 * Where an exporter puts a GPU's power: an energy counter (preferred: it integrates exactly), a power gauge (the
 * fallback), an optional utilization gauge, and the labels naming the GPU, its node and a MIG instance. The two
 * presets are the exporters' defaults; every name can be overridden, since exporters rename metrics across versions.
 *
 * @param energyMetric counter of energy since boot, or null
 * @param joulesPerUnit joules per unit of the counter (DCGM: millijoules, 0.001; Kepler: joules, 1)
 * @param powerMetric gauge in watts, or null
 * @param utilizationMetric gauge of utilization, or null
 * @param utilizationPerUnit fraction (0..1) per unit of the utilization gauge (DCGM: percent, 0.01)
 * @param gpuLabel label with the GPU's index within its node
 * @param nodeLabel label with the node's id (overridden by a node configured for the endpoint)
 * @param migLabel label present on a MIG instance's series (power is per physical GPU), or null
 *     (each label may list spellings, "Hostname|hostname": the first one a series carries is read)
 * @param summedLabel label whose series of one GPU add up to its value (Kepler 0.7: mode="dynamic" + mode="idle"),
 *     or null
 */
public record GpuMetrics(String energyMetric, double joulesPerUnit, String powerMetric, String utilizationMetric,
    double utilizationPerUnit, String gpuLabel, String nodeLabel, String migLabel, String summedLabel) {

  /** NVIDIA DCGM exporter's default counters (dcp-metrics-included.csv / default-counters.csv). */
  public static GpuMetrics dcgm() {
    return new GpuMetrics("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", 0.001, "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_UTIL",
        0.01, "gpu", "Hostname|hostname", "GPU_I_ID|gpu_i_id", null);
  }

  /**
   * Kepler's node GPU metrics, as both of its code lines name them: 0.7.x-0.9.x (kepler_node_gpu_joules_total with
   * instance, package (index in 0.7.1-0.7.2) and mode="dynamic"/"idle", summed) and 0.11.4+ with
   * --experimental.gpu.enabled (kepler_node_gpu_joules_total and kepler_node_gpu_watts with gpu and the constant
   * node_name). 0.10.0-0.11.3 export no GPU metric at all.
   */
  public static GpuMetrics kepler() {
    return new GpuMetrics("kepler_node_gpu_joules_total", 1.0, "kepler_node_gpu_watts", null, 1.0, "gpu|package|index",
        "node_name|instance", null, "mode");
  }
}
