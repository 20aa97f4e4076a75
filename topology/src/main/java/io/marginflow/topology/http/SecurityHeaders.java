package io.marginflow.topology.http;

import java.util.function.BiConsumer;

/** The headers every answer of marginflow's HTTP servers carries: no sniffing, no referrer, never framed. */
public final class SecurityHeaders {
  private SecurityHeaders() {
  }

  /** Adds them through {@code header} (name, value). */
  public static void add(BiConsumer<String, String> header) {
    header.accept("X-Content-Type-Options", "nosniff");
    header.accept("Referrer-Policy", "no-referrer");
    header.accept("Content-Security-Policy", "frame-ancestors 'none'");
    header.accept("X-Frame-Options", "DENY");
  }
}
