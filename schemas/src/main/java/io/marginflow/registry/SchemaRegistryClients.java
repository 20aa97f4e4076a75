package io.marginflow.registry;

import io.marginflow.registry.store.SchemaStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Builds registry clients from settings; {@code mock://scope} URLs share one in-memory store per scope. */
public final class SchemaRegistryClients {
  private static final Map<String, SchemaStore> MOCK_SCOPES = new ConcurrentHashMap<>();

  private SchemaRegistryClients() {
  }

  /** A caching client for the registry these settings name. */
  public static CachingSchemaRegistryClient create(Map<String, ?> configs) {
    RegistryClientConfig config = RegistryClientConfig.from(configs);
    SchemaRegistryClient raw = config.isMock()
        ? new InMemorySchemaRegistryClient(mockStore(config.urls().get(0).getHost()))
        : new RestSchemaRegistryClient(config);
    return new CachingSchemaRegistryClient(raw);
  }

  /** The shared store of a mock scope (created on first use). */
  public static SchemaStore mockStore(String scope) {
    return MOCK_SCOPES.computeIfAbsent(scope == null ? "" : scope, s -> new SchemaStore());
  }

  /** Forgets a mock scope, as tests do between cases. */
  public static void dropMockScope(String scope) {
    MOCK_SCOPES.remove(scope);
  }
}
