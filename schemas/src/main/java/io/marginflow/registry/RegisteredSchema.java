package io.marginflow.registry;

import org.apache.avro.Schema;

/** One version of a subject: the registry's (subject, version, global id, schema) tuple. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
}
