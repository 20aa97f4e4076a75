package io.marginflow.ops.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.TopicDeclaration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With 3 or more replicas asked for, a topic is created (and kept) with min.insync.replicas=2; below, as declared. */
class TopicProvisionerConfigsTest {
  @Test
  void shouldAskForTwoInSyncReplicasOnlyWhenThereAreThree() {
    TopicDeclaration margins = TopicCatalog.defaults().get("margins");
    Map<String, String> wanted = new HashMap<>(margins.configs());
    wanted.put("min.insync.replicas", "2");
    assertEquals(wanted, new TopicProvisioner(null, (short) 3).configs(margins));
    assertEquals(margins.configs(), new TopicProvisioner(null, (short) 1).configs(margins));
    assertEquals(margins.configs(), new TopicProvisioner(null, (short) -1).configs(margins));
  }
}
