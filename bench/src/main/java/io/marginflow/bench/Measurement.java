package io.marginflow.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/** Wall time, process CPU time and GC time of one timed run over {@code events} events. */
record Measurement(String name, long events, long wallNanos, long cpuNanos, long gcMillis) {

  /** A piece of timed work. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  static Measurement of(String name, long events, Work work) throws Exception {
    long cpu0 = processCpuNanos();
    long gc0 = gcMillisTotal();
    long t0 = System.nanoTime();
    work.run();
    long wall = System.nanoTime() - t0;
    return new Measurement(name, events, wall, processCpuNanos() - cpu0, gcMillisTotal() - gc0);
  }

  double wallSeconds() {
    return Math.round(wallNanos / 1e7) / 100.0;
  }

  double eventsPerSecond() {
    return events / (wallNanos / 1e9);
  }

  /** CPU of the whole process (stream threads, broker, clients) per event, in microseconds. */
  double cpuMicrosPerEvent() {
    return Math.round(cpuNanos / 1e3 / events * 100) / 100.0;
  }

  String describe() {
    return String.format(Locale.ROOT, "%-9s %,12.0f events/s  %7.2f s wall  %7.2f us CPU/event  %6d ms GC", name,
        eventsPerSecond(), wallSeconds(), cpuMicrosPerEvent(), gcMillis);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long gcMillisTotal() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }
}
