package io.marginflow.topology;

import io.marginflow.topology.progress.Markers;
import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.topology.margin.MarginPanes;
import io.marginflow.topology.store.StoreNames;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The margin task counts the records it emits (replay waits until that many are visible in the topic). The count
 * once started at the value of a marker never set (Long.MIN_VALUE), which summed over partitions only by luck: with a
 * partition that emitted nothing, replay expected a negative count and read the topic before it was complete.
 */
class MarginCountTopologyTest {

  @Test
  void shouldCountExactlyTheMarginRecordsEmitted() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.price("m", "2", "1", "10");
      f.send(request("e1", H + 1_000, "A", "m", "n1", 1000, 0, 100));
      f.send(request("e2", H + 2_000, "B", "m", "n1", 1000, 0, 100));
      f.watts("n1", "0", H, 15_000, 500);
      f.closeEverythingAfter(H + 2_000);
      // A and B share the one bucket with data (nothing left for __idle__): one 1h window and 24 rolling days each.
      int records = f.margins.readValuesToList().size();
      assertEquals(2 * (1 + 24), records);
      KeyValueStore<String, Long> progress = f.driver.getKeyValueStore(StoreNames.MARGIN_PROGRESS);
      assertEquals(records, MarginPanes.emittedCount(progress.get(Markers.MARGIN_EMITTED)));
      assertEquals(records, progress.get(Markers.MARGIN_EMITTED), "stored as the count itself, not offset");
    }
  }

  @Test
  void shouldReadTheCountsOfEarlierVersions() {
    assertEquals(0, MarginPanes.emittedCount(null));
    assertEquals(0, MarginPanes.emittedCount(Long.MIN_VALUE));
    assertEquals(5, MarginPanes.emittedCount(Long.MIN_VALUE + 5), "stored by versions that began at Long.MIN_VALUE");
    assertEquals(7, MarginPanes.emittedCount(7L));
  }
}
