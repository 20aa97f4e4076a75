package io.marginflow.it;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** {@link RebalanceIT} with {@code num.standby.replicas=1}, on a broker of its own. */
@WithKafkaStack
@Tag("fault")
@EnabledIfSystemProperty(named = "fault.rebalance", matches = "true",
    disabledReason = "open bug: requests lost when tasks move back to a rejoining instance (docs/RELIABILITY.md); "
        + "run with -Dfault.rebalance=true")
class StandbyRebalanceIT {

  @Test
  void shouldEmitEachWindowOnceWhileAnInstanceLeavesAndRejoinsWithStandbys(KafkaStack kafka, @TempDir Path dir)
      throws Exception {
    RebalanceIT.run(1, kafka, dir);
  }
}
