package io.marginflow.ops.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The part of Kubernetes' strategic merge patch that the overlays use: objects merge key by key, lists of objects with
 * a {@code name} merge element by name (containers, env, volumes), other lists and values are replaced.
 */
final class StrategicMerge {
  private StrategicMerge() {
  }

  static JsonNode merge(JsonNode base, JsonNode patch) {
    if (base instanceof ObjectNode b && patch instanceof ObjectNode p) {
      ObjectNode out = b.deepCopy();
      p.properties().forEach(e -> out.set(e.getKey(), out.has(e.getKey()) ? merge(out.get(e.getKey()), e.getValue())
          : e.getValue()));
      return out;
    }
    if (base instanceof ArrayNode b && patch instanceof ArrayNode p && named(b) && named(p)) {
      ArrayNode out = b.deepCopy();
      for (JsonNode element : p) {
        boolean merged = false;
        for (int i = 0; i < out.size(); i++) {
          if (out.get(i).get("name").equals(element.get("name"))) {
            out.set(i, merge(out.get(i), element));
            merged = true;
          }
        }
        if (!merged) {
          out.add(element);
        }
      }
      return out;
    }
    return patch;
  }

  private static boolean named(ArrayNode a) {
    for (JsonNode e : a) {
      if (!e.isObject() || !e.has("name")) {
        return false;
      }
    }
    return a.size() > 0;
  }
}
