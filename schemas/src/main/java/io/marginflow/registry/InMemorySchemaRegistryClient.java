package io.marginflow.registry;

import io.marginflow.registry.store.SchemaStore;
import org.apache.avro.Schema;

/** A client over a {@link SchemaStore} in this JVM: what {@code mock://scope} URLs resolve to. */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private final SchemaStore store;

  public InMemorySchemaRegistryClient(SchemaStore store) {
    this.store = store;
  }

  @Override
  public int register(String subject, Schema schema) {
    return store.register(subject, schema).id();
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    if (store.subjects().stream().noneMatch(subject::equals)) {
      throw RegistryException.subjectNotFound(subject);
    }
    return store.find(subject, schema).orElseThrow(() -> RegistryException.schemaNotFound("under subject '" + subject + "'"));
  }

  @Override
  public Schema getById(int id) {
    return store.byId(id);
  }

  @Override
  public RegisteredSchema latest(String subject) {
    return store.version(subject, -1);
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    return store.isCompatible(subject, schema);
  }
}
