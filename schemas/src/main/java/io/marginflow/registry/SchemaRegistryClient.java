package io.marginflow.registry;

import org.apache.avro.Schema;

/** The subset of the Confluent Schema Registry API the serdes and tools need. Implementations are thread-safe. */
public interface SchemaRegistryClient {

  /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
  int register(String subject, Schema schema);

  /** Looks up the id of an already registered schema under {@code subject}; 40401/40403 when absent. */
  RegisteredSchema lookup(String subject, Schema schema);

  /** The schema with global id {@code id}; 40403 when unknown. */
  Schema getById(int id);

  /** The latest version of {@code subject}; 40401 when unknown. */
  RegisteredSchema latest(String subject);

  /** Whether {@code schema} may be added to {@code subject} under its compatibility level. */
  boolean isCompatible(String subject, Schema schema);
}
