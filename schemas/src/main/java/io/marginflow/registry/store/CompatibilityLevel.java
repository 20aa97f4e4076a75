package io.marginflow.registry.store;

import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}. */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Parses a level name as the REST API spells it; null when unknown. */
  public static CompatibilityLevel parse(String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Whether {@code candidate} may follow {@code existing} (oldest first) under this level. Non-transitive
   * levels compare with the latest version only.
   */
  public boolean allows(Schema candidate, List<Schema> existing) {
    if (existing.isEmpty() || this == NONE) {
      return true;
    }
    List<Schema> against = transitive ? existing : List.of(existing.get(existing.size() - 1));
    for (Schema previous : against) {
      if (backward && !canRead(candidate, previous)) {
        return false;
      }
      if (forward && !canRead(previous, candidate)) {
        return false;
      }
    }
    return true;
  }

  /** True when data written with {@code writer} can be read with {@code reader}. */
  public static boolean canRead(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
        == SchemaCompatibilityType.COMPATIBLE;
  }

  /** A readable description of why {@code reader} cannot read {@code writer}, empty when it can. */
  public static String incompatibilities(Schema reader, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    StringBuilder out = new StringBuilder();
    for (var problem : result.getIncompatibilities()) {
      out.append(problem.getType()).append(" at ").append(problem.getLocation()).append(": ")
          .append(problem.getMessage()).append("; ");
    }
    return out.toString();
  }
}
