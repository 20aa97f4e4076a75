package io.marginflow.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.registry.RegisteredSchema;
import io.marginflow.registry.RegistryException;
import io.marginflow.registry.store.CompatibilityLevel;
import io.marginflow.registry.store.SchemaStore;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;

/** Maps Confluent REST paths onto a {@link SchemaStore}; HTTP-free so it is easy to test. */
final class RegistryRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaStore store;

  record Response(int status, String body) {
    static Response ok(Object value) {
      try {
        return new Response(200, JSON.writeValueAsString(value));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Response error(RegistryException e) {
      ObjectNode body = JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.registryMessage());
      return new Response(e.httpStatus() > 0 ? e.httpStatus() : 500, body.toString());
    }
  }

  RegistryRoutes(SchemaStore store) {
    this.store = store;
  }

  Response route(String method, URI uri, String body) {
    List<String> p = segments(uri);
    String m = method.toUpperCase(Locale.ROOT);
    if (p.isEmpty()) {
      return Response.ok(JSON.createObjectNode());
    }
    return switch (p.get(0)) {
      case "schemas" -> schemas(m, p);
      case "subjects" -> subjects(m, p, body);
      case "compatibility" -> compatibility(m, p, body);
      case "config" -> config(m, p, body);
      default -> notFound(uri);
    };
  }

  private Response schemas(String m, List<String> p) {
    if (m.equals("GET") && p.size() == 2 && p.get(1).equals("types")) {
      return Response.ok(List.of("AVRO"));
    }
    if (m.equals("GET") && p.size() >= 3 && p.get(1).equals("ids")) {
      int id = parseInt(p.get(2), RegistryException.SCHEMA_NOT_FOUND);
      if (p.size() == 3) {
        return Response.ok(JSON.createObjectNode().put("schema", store.byId(id).toString()));
      }
      if (p.size() == 4 && p.get(3).equals("subjects")) {
        return Response.ok(store.subjectsOf(id));
      }
    }
    if (m.equals("GET") && p.size() == 1) {
      List<ObjectNode> all = new ArrayList<>();
      for (int id : store.schemaIds()) {
        all.add(JSON.createObjectNode().put("id", id).put("schema", store.byId(id).toString()));
      }
      return Response.ok(all);
    }
    return notAllowed(m, p);
  }

  private Response subjects(String m, List<String> p, String body) {
    if (p.size() == 1 && m.equals("GET")) {
      return Response.ok(store.subjects());
    }
    String subject = p.size() > 1 ? p.get(1) : "";
    if (p.size() == 2) {
      return switch (m) {
        case "POST" -> Response.ok(json(lookup(subject, schemaOf(body))));
        case "DELETE" -> Response.ok(store.deleteSubject(subject));
        default -> notAllowed(m, p);
      };
    }
    if (p.size() == 3 && p.get(2).equals("versions")) {
      return switch (m) {
        case "GET" -> Response.ok(store.versions(subject));
        case "POST" -> Response.ok(JSON.createObjectNode().put("id", store.register(subject, schemaOf(body)).id()));
        default -> notAllowed(m, p);
      };
    }
    if (p.size() >= 4 && p.get(2).equals("versions") && m.equals("GET")) {
      RegisteredSchema version = store.version(subject, version(p.get(3)));
      return p.size() == 5 && p.get(4).equals("schema") ? new Response(200, version.schema().toString())
          : Response.ok(json(version));
    }
    return notAllowed(m, p);
  }

  private RegisteredSchema lookup(String subject, Schema schema) {
    if (!store.subjects().contains(subject)) {
      throw RegistryException.subjectNotFound(subject);
    }
    return store.find(subject, schema).orElseThrow(() -> RegistryException.schemaNotFound("under subject '" + subject + "'"));
  }

  private Response compatibility(String m, List<String> p, String body) {
    if (m.equals("POST") && p.size() == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
      boolean ok = store.isCompatibleWith(p.get(2), version(p.get(4)), schemaOf(body));
      return Response.ok(JSON.createObjectNode().put("is_compatible", ok));
    }
    if (m.equals("POST") && p.size() == 4 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
      return Response.ok(JSON.createObjectNode().put("is_compatible", store.isCompatible(p.get(2), schemaOf(body))));
    }
    return notAllowed(m, p);
  }

  private Response config(String m, List<String> p, String body) {
    String subject = p.size() > 1 ? p.get(1) : null;
    if (m.equals("GET")) {
      CompatibilityLevel level = subject == null ? store.globalLevel() : store.subjectLevel(subject)
          .orElseThrow(() -> new RegistryException(404, RegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
              "Subject '" + subject + "' does not have subject-level compatibility configured"));
      return Response.ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
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
      return Response.ok(JSON.createObjectNode().put("compatibility", level.name()));
    }
    return notAllowed(m, p);
  }

  private static ObjectNode json(RegisteredSchema s) {
    return JSON.createObjectNode().put("subject", s.subject()).put("version", s.version()).put("id", s.id())
        .put("schema", s.schema().toString());
  }

  private static Schema schemaOf(String body) {
    JsonNode node = readJson(body);
    String type = node.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw RegistryException.invalidSchema("schemaType " + type + " is not supported by this registry (AVRO only)");
    }
    if (node.has("references") && node.get("references").size() > 0) {
      throw RegistryException.invalidSchema("schema references are not supported by this registry");
    }
    JsonNode schema = node.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw RegistryException.invalidSchema("request body needs a \"schema\" string");
    }
    return SchemaStore.parse(schema.asText());
  }

  private static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (JsonProcessingException e) {
      throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Malformed JSON body: " + e.getOriginalMessage());
    }
  }

  private static int version(String raw) {
    return "latest".equals(raw) || "-1".equals(raw) ? -1 : parseInt(raw, RegistryException.INVALID_VERSION);
  }

  private static int parseInt(String raw, int errorCode) {
    try {
      int v = Integer.parseInt(raw);
      if (v < 1) {
        throw new NumberFormatException(raw);
      }
      return v;
    } catch (NumberFormatException e) {
      int status = errorCode == RegistryException.INVALID_VERSION ? 422 : 404;
      throw new RegistryException(status, errorCode, "'" + raw + "' is not a valid id or version");
    }
  }

  private static List<String> segments(URI uri) {
    List<String> out = new ArrayList<>();
    for (String s : uri.getRawPath().split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Response notFound(URI uri) {
    return Response.error(new RegistryException(404, 404, "HTTP 404 Not Found: " + uri.getPath()));
  }

  private static Response notAllowed(String method, List<String> p) {
    return Response.error(new RegistryException(405, 405, "HTTP 405 Method Not Allowed: " + method + " /" + String.join("/", p)));
  }
}
