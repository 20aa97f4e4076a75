package io.marginflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One settings file serves `run`, `topics`, `produce`, `tick` and the ingest gateway alike (README, Configuration). */
class ConfigFilesTest {

  @Test
  void shouldLeaveTheGatewaysKeysToItAndStillRefuseAnUnknownOne(@TempDir Path dir) throws Exception {
    Path shared = Files.writeString(dir.resolve("marginflow.properties"),
        "attribution.grace=2m\ningest.port=4319\ningest.tokens=secret\ningest.max-future-skew=1m\n");
    MarginflowConfig pipeline = ConfigFiles.pipeline(List.of(shared), Map.of());
    assertEquals(Duration.ofMinutes(2), pipeline.duration(MarginflowConfig.GRACE));
    assertEquals(Duration.ofMinutes(1), pipeline.duration(MarginflowConfig.MAX_FUTURE_SKEW), "the pipeline's ingest.* key");

    Path typo = Files.writeString(dir.resolve("typo.properties"), "ingest.prot=4319\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFiles.pipeline(typo, Map.of()));
    assertTrue(e.getMessage().contains("ingest.prot"), e.getMessage());
  }
}
