package io.marginflow.ops.demo;

import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.ingest.IngestConfig;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.http.Tls;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings the demo gives its parts: the pipeline's (the embedded broker and registry, its state folder, the query
 * API's address and admin token) and the ingest gateway's.
 */
final class DemoSettings {
  private DemoSettings() {
  }

  static MarginflowConfig pipeline(DemoOptions o, EmbeddedStack stack) {
    Map<String, String> s = new HashMap<>();
    s.put(MarginflowConfig.APPLICATION_ID, "marginflow-demo");
    s.put(MarginflowConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
    s.put(MarginflowConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
    s.put(MarginflowConfig.STATE_DIR, o.stateDir().resolve("streams").toString());
    s.put(MarginflowConfig.HTTP_PORT, Integer.toString(o.port()));
    s.put(MarginflowConfig.HTTP_BIND, o.bind());
    s.put(MarginflowConfig.HTTP_TOKENS, o.adminToken() + "=admin");
    return MarginflowConfig.of(s);
  }

  /** Open on loopback (this machine only); reachable from elsewhere, the gateway takes the admin token. */
  static IngestConfig ingest(DemoOptions o) {
    Map<String, String> ingest = new HashMap<>(Map.of(IngestConfig.PORT, Integer.toString(o.ingestPort()),
        IngestConfig.BIND, o.bind()));
    if (!Tls.loopback(o.bind())) {
      ingest.put(IngestConfig.TOKENS, o.adminToken());
    }
    return new IngestConfig(ingest);
  }
}
