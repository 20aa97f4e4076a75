package io.marginflow.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Caches ids and schemas both ways so that a serde asks the registry once per (subject, schema) and once per
 * id, never per record. Latest-version and compatibility answers are not cached: they change.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
  private final SchemaRegistryClient delegate;
  private final Map<String, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

  public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
    this.delegate = delegate;
  }

  private static String key(String subject, Schema schema) {
    return subject + '\u0000' + schema.toString();
  }

  @Override
  public int register(String subject, Schema schema) {
    return idBySubjectSchema.computeIfAbsent(key(subject, schema), k -> {
      int id = delegate.register(subject, schema);
      schemaById.putIfAbsent(id, schema);
      return id;
    });
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    RegisteredSchema found = delegate.lookup(subject, schema);
    idBySubjectSchema.putIfAbsent(key(subject, schema), found.id());
    schemaById.putIfAbsent(found.id(), found.schema());
    return found;
  }

  /** The id of {@code schema} under {@code subject}: from the cache, else by lookup (no registration). */
  public int idOf(String subject, Schema schema) {
    Integer cached = idBySubjectSchema.get(key(subject, schema));
    return cached != null ? cached : lookup(subject, schema).id();
  }

  @Override
  public Schema getById(int id) {
    return schemaById.computeIfAbsent(id, delegate::getById);
  }

  @Override
  public RegisteredSchema latest(String subject) {
    RegisteredSchema latest = delegate.latest(subject);
    schemaById.putIfAbsent(latest.id(), latest.schema());
    return latest;
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    return delegate.isCompatible(subject, schema);
  }
}
