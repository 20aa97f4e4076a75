package io.marginflow.registry.server;

import static io.marginflow.registry.server.RegistryResponse.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.registry.RegistryException;
import io.marginflow.registry.store.SchemaStore;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * How the routes read a request: its path segments, ids and versions in the path, its JSON body and the Avro schema in
 * it; anything malformed as the registry error Confluent's clients expect.
 */
final class RegistryRequests {
  private RegistryRequests() {
  }

  /** The decoded, non-empty segments of the request's path. */
  static List<String> segments(URI uri) {
    List<String> out = new ArrayList<>();
    for (String s : uri.getRawPath().split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** The Avro schema of a register, lookup or compatibility body (AVRO only, no references). */
  static Schema schemaOf(String body) {
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

  /** The body as JSON; an empty body is an empty object. */
  static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (JsonProcessingException e) {
      throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Malformed JSON body: " + e.getOriginalMessage());
    }
  }

  /** A version in the path: a number from 1, or latest (-1). */
  static int version(String raw) {
    return "latest".equals(raw) || "-1".equals(raw) ? -1 : parseInt(raw, RegistryException.INVALID_VERSION);
  }

  /** An id or version from 1; else {@code errorCode} (422 for a version, 404 for an id). */
  static int parseInt(String raw, int errorCode) {
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
}
