package io.marginflow.topology.ingest;

/**
 * The output of an ingest processor: a value for the main path, or the original key and value bytes of a
 * record that goes to the dead-letter or late topic (its headers carry the reason).
 */
public record Routed<V>(Route route, V value, byte[] rawKey, byte[] rawValue) {

  public static <V> Routed<V> main(V value) {
    return new Routed<>(Route.MAIN, value, null, null);
  }

  public static <V> Routed<V> rejected(Route route, byte[] rawKey, byte[] rawValue) {
    return new Routed<>(route, null, rawKey, rawValue);
  }
}
