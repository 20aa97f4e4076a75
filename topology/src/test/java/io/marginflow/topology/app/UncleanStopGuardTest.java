package io.marginflow.topology.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanStopGuardTest {

  @Test
  void shouldSeeARunThatNeverStoppedAsUnclean(@TempDir Path dir) {
    assertFalse(new UncleanStopGuard(dir, "app").previousRunUnclean(), "a fresh state directory");
    new UncleanStopGuard(dir, "app").started();
    // The process dies here: the next start finds the marker.
    UncleanStopGuard next = new UncleanStopGuard(dir, "app");
    assertTrue(next.previousRunUnclean());
    assertFalse(new UncleanStopGuard(dir, "other-app").previousRunUnclean(), "one marker per application id");
    next.started();
    next.stoppedCleanly();
    assertFalse(new UncleanStopGuard(dir, "app").previousRunUnclean(), "after a clean stop");
  }

  @Test
  void shouldDeriveAStableStaticMemberIdPerStateDirectory(@TempDir Path dir) {
    String a = StreamsProperties.groupInstanceId(config(dir.resolve("a"), "auto"));
    assertEquals(a, StreamsProperties.groupInstanceId(config(dir.resolve("a"), "auto")), "same instance, same id");
    assertNotEquals(a, StreamsProperties.groupInstanceId(config(dir.resolve("b"), "auto")), "another state dir on this host");
    assertTrue(a.startsWith("app-") && a.matches("[A-Za-z0-9._-]+"), a);
    assertEquals("pod-3", StreamsProperties.groupInstanceId(config(dir, "pod-3")));
    assertNull(StreamsProperties.groupInstanceId(config(dir, "none")));
    assertEquals("pod-3", StreamsProperties.of(config(dir, "pod-3"), 0).get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
    assertNull(StreamsProperties.of(config(dir, "none"), 0).get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
  }

  private static MarginflowConfig config(Path stateDir, String instanceId) {
    return MarginflowConfig.of(Map.of(MarginflowConfig.APPLICATION_ID, "app", MarginflowConfig.STATE_DIR, stateDir.toString(),
        MarginflowConfig.INSTANCE_ID, instanceId));
  }
}
