package io.marginflow.registry.server;

import static io.marginflow.registry.server.RegistryRequests.readJson;
import static io.marginflow.registry.server.RegistryRequests.schemaOf;
import static io.marginflow.registry.server.RegistryRequests.version;
import static io.marginflow.registry.server.RegistryResponse.JSON;
import static io.marginflow.registry.server.RegistryResponse.notAllowed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.registry.RegisteredSchema;
import io.marginflow.registry.RegistryException;
import io.marginflow.registry.store.CompatibilityLevel;
import io.marginflow.registry.store.SchemaStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;

/**
 * Maps Confluent REST paths onto a {@link SchemaStore}; HTTP-free so it is easy to test. Requests are read by
 * {@link RegistryRequests}, answers written by {@link RegistryResponse}.
 */
final class RegistryRoutes {
  private final SchemaStore store;

  RegistryRoutes(SchemaStore store) {
    this.store = store;
  }

  RegistryResponse route(String method, URI uri, String body) {
    List<String> p = RegistryRequests.segments(uri);
    String m = method.toUpperCase(Locale.ROOT);
    if (p.isEmpty()) {
      return RegistryResponse.ok(JSON.createObjectNode());
    }
    return switch (p.get(0)) {
      case "schemas" -> schemas(m, p);
      case "subjects" -> subjects(m, p, body);
      case "compatibility" -> compatibility(m, p, body);
      case "config" -> config(m, p, body);
      default -> RegistryResponse.notFound(uri);
    };
  }

  private RegistryResponse schemas(String m, List<String> p) {
    if (m.equals("GET") && p.size() == 2 && p.get(1).equals("types")) {
      return RegistryResponse.ok(List.of("AVRO"));
    }
    if (m.equals("GET") && p.size() >= 3 && p.get(1).equals("ids")) {
      int id = RegistryRequests.parseInt(p.get(2), RegistryException.SCHEMA_NOT_FOUND);
      if (p.size() == 3) {
        return RegistryResponse.ok(JSON.createObjectNode().put("schema", store.byId(id).toString()));
      }
      if (p.size() == 4 && p.get(3).equals("subjects")) {
        return RegistryResponse.ok(store.subjectsOf(id));
      }
    }
    if (m.equals("GET") && p.size() == 1) {
      List<ObjectNode> all = new ArrayList<>();
      for (int id : store.schemaIds()) {
        all.add(JSON.createObjectNode().put("id", id).put("schema", store.byId(id).toString()));
      }
      return RegistryResponse.ok(all);
    }
    return notAllowed(m, p);
  }

  private RegistryResponse subjects(String m, List<String> p, String body) {
    if (p.size() == 1 && m.equals("GET")) {
      return RegistryResponse.ok(store.subjects());
    }
    String subject = p.size() > 1 ? p.get(1) : "";
    if (p.size() == 2) {
      return switch (m) {
        case "POST" -> RegistryResponse.ok(json(lookup(subject, schemaOf(body))));
        case "DELETE" -> RegistryResponse.ok(store.deleteSubject(subject));
        default -> notAllowed(m, p);
      };
    }
    if (p.size() == 3 && p.get(2).equals("versions")) {
      return switch (m) {
        case "GET" -> RegistryResponse.ok(store.versions(subject));
        case "POST" -> RegistryResponse.ok(JSON.createObjectNode().put("id", store.register(subject, schemaOf(body)).id()));
        default -> notAllowed(m, p);
      };
    }
    if (p.size() >= 4 && p.get(2).equals("versions") && m.equals("GET")) {
      RegisteredSchema version = store.version(subject, version(p.get(3)));
      return p.size() == 5 && p.get(4).equals("schema") ? new RegistryResponse(200, version.schema().toString())
          : RegistryResponse.ok(json(version));
    }
    return notAllowed(m, p);
  }

  private RegisteredSchema lookup(String subject, Schema schema) {
    if (!store.subjects().contains(subject)) {
      throw RegistryException.subjectNotFound(subject);
    }
    return store.find(subject, schema).orElseThrow(() -> RegistryException.schemaNotFound("under subject '" + subject + "'"));
  }

  private RegistryResponse compatibility(String m, List<String> p, String body) {
    if (m.equals("POST") && p.size() == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
      boolean ok = store.isCompatibleWith(p.get(2), version(p.get(4)), schemaOf(body));
      return RegistryResponse.ok(JSON.createObjectNode().put("is_compatible", ok));
    }
    if (m.equals("POST") && p.size() == 4 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
      return RegistryResponse.ok(JSON.createObjectNode().put("is_compatible", store.isCompatible(p.get(2), schemaOf(body))));
    }
    return notAllowed(m, p);
  }

  private RegistryResponse config(String m, List<String> p, String body) {
    String subject = p.size() > 1 ? p.get(1) : null;
    if (m.equals("GET")) {
      CompatibilityLevel level = subject == null ? store.globalLevel() : store.subjectLevel(subject)
          .orElseThrow(() -> new RegistryException(404, RegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
              "Subject '" + subject + "' does not have subject-level compatibility configured"));
      return RegistryResponse.ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }
    if (m.equals("PUT")) {
      CompatibilityLevel level = CompatibilityLevel.parse(readJson(body).path("compatibility").asText(null));
      if (level == null) {
        throw new RegistryException(422, RegistryException.INVALID_COMPATIBILITY_LEVEL,
            "Invalid compatibility level. Valid values are " + Arrays.toString(CompatibilityLevel.values()));
      }
      if (subject == null) {
        store.setGlobalLevel(level);
      } else {
        store.setSubjectLevel(subject, level);
      }
      return RegistryResponse.ok(JSON.createObjectNode().put("compatibility", level.name()));
    }
    return notAllowed(m, p);
  }

  private static ObjectNode json(RegisteredSchema s) {
    return JSON.createObjectNode().put("subject", s.subject()).put("version", s.version()).put("id", s.id())
        .put("schema", s.schema().toString());
  }
}
