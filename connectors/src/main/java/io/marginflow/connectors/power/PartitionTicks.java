package io.marginflow.connectors.power;

import io.marginflow.schemas.TickHeader;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One tick per partition at the event time every endpoint of the task has reached: each GPU's next sample starts at
 * its endpoint's last successful scrape. An endpoint unreachable for longer than SPEC 1's longest interval no longer
 * holds the others back (its next sample would be a gap, skipped).
 */
final class PartitionTicks {
  private PartitionTicks() {
  }

  /** Adds the ticks of this scrape at {@code now} to {@code out}, if every endpoint has reached a time yet. */
  static void add(long now, Collection<EndpointState> endpoints, PowerSourceConfig config, List<SourceRecord> out) {
    long reached = reached(now, endpoints);
    if (reached == Long.MAX_VALUE) {
      return;
    }
    String topic = config.getString(PowerSourceConfig.TOPIC);
    for (int p = 0; p < config.getInt(PowerSourceConfig.TOPIC_PARTITIONS); p++) {
      ConnectHeaders headers = new ConnectHeaders();
      headers.addString(TickHeader.NAME, TickHeader.VALUE);
      out.add(new SourceRecord(Map.of("ticks", topic), Map.of("at_ms", reached), topic, p, null, null, null, null, reached,
          headers));
    }
  }

  /** The earliest time the endpoints have reached; Long.MAX_VALUE when there is nothing to tick yet. */
  private static long reached(long now, Collection<EndpointState> endpoints) {
    long reached = Long.MAX_VALUE;
    for (EndpointState e : endpoints) {
      if (e.reachedMs != Long.MIN_VALUE && now - e.reachedMs <= EnergyIntegrator.MAX_INTERVAL_MS) {
        reached = Math.min(reached, e.reachedMs);
      } else if (e.reachedMs == Long.MIN_VALUE && e.failures == 0) {
        return Long.MAX_VALUE;
      }
    }
    return reached;
  }
}
