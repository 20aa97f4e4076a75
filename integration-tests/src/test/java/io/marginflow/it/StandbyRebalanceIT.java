package io.marginflow.it;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RebalanceIT} with {@code num.standby.replicas=1}, on a broker of its own. */
@WithKafkaStack
@Tag("fault")
class StandbyRebalanceIT {

  @Test
  void shouldEmitEachWindowOnceWhileAnInstanceLeavesAndRejoinsWithStandbys(KafkaStack kafka, @TempDir Path dir)
      throws Exception {
    RebalanceIT.run(1, kafka, dir);
  }
}
