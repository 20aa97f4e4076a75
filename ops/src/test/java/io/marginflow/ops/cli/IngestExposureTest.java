package io.marginflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.ops.ingest.IngestConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** No anonymous writers: a gateway reachable from other machines needs tokens, or an explicit opt-out. */
class IngestExposureTest {
  private static IngestConfig ingest(Map<String, String> settings) {
    return IngestConfig.from(settings, Map.of(), Map.of());
  }

  @Test
  void shouldRefuseANetworkGatewayWithoutTokensNamingBothKeys() {
    ConfigException e = assertThrows(ConfigException.class, () -> ingest(Map.of("ingest.bind", "0.0.0.0"))
        .requireAuthenticatedExposure());
    assertTrue(e.getMessage().contains("ingest.allow-anonymous") && e.getMessage().contains("ingest.tokens"),
        e.getMessage());
    assertThrows(ConfigException.class, () -> ingest(Map.of()).requireAuthenticatedExposure(), "the default bind");
    ingest(Map.of("ingest.bind", "0.0.0.0", "ingest.tokens", "s3cret")).requireAuthenticatedExposure();
    ingest(Map.of("ingest.bind", "127.0.0.1")).requireAuthenticatedExposure();
    ingest(Map.of("ingest.bind", "::1")).requireAuthenticatedExposure();
    ingest(Map.of("ingest.bind", "0.0.0.0", "ingest.allow-anonymous", "true")).requireAuthenticatedExposure();
  }

  /** bin/marginflow ingest --set ingest.bind=0.0.0.0 exits non-zero, naming the key, before anything listens. */
  @Test
  void shouldExitNonZeroFromTheCommandLine() {
    StringWriter err = new StringWriter();
    int code = MarginflowCli.commandLine().setErr(new PrintWriter(err, true)).execute("ingest", "--set",
        "ingest.bind=0.0.0.0", "--set", "bootstrap.servers=127.0.0.1:1");
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains("ingest.allow-anonymous"), err.toString());
  }

  /** Durations on the command line as the settings write them, as well as ISO-8601. */
  @Test
  void shouldReadDurationsLikeTheSettings() {
    for (String[] given : new String[][] {{"30m", "PT30M"}, {"2h", "PT2H"}, {"PT45M", "PT45M"}}) {
      var parsed = MarginflowCli.commandLine().parseArgs("demo", "--lookback", given[0]);
      assertEquals(java.time.Duration.parse(given[1]), parsed.subcommand().matchedOptionValue("--lookback", null));
    }
  }

  @Test
  void shouldAcceptTheShippedExampleAsItIs() throws Exception {
    Map<String, String> file = io.marginflow.topology.config.MarginflowConfig.readProperties(
        Path.of("../connectors/config/ingest.properties"));
    ingest(file).requireAuthenticatedExposure();
  }
}
