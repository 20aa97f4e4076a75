package io.marginflow.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.registry.RegistryException;
import java.net.URI;
import java.util.List;

/** One answer of the registry: HTTP status and JSON body, a value written as JSON or an error as Confluent's clients read it. */
record RegistryResponse(int status, String body) {
  /** The JSON mapper of the registry's requests and answers. */
  static final ObjectMapper JSON = new ObjectMapper();

  static RegistryResponse ok(Object value) {
    try {
      return new RegistryResponse(200, JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static RegistryResponse error(RegistryException e) {
    ObjectNode body = JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.registryMessage());
    return new RegistryResponse(e.httpStatus() > 0 ? e.httpStatus() : 500, body.toString());
  }

  static RegistryResponse notFound(URI uri) {
    return error(new RegistryException(404, 404, "HTTP 404 Not Found: " + uri.getPath()));
  }

  static RegistryResponse notAllowed(String method, List<String> p) {
    return error(new RegistryException(405, 405, "HTTP 405 Method Not Allowed: " + method + " /" + String.join("/", p)));
  }
}
