package io.marginflow.ops.demo;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * How the demo runs: where its state lives, how fast event time goes, how big the simulated fleet is, the address its
 * query API listens on (loopback unless asked otherwise) and its admin token (random per run unless given); {@code
 * lake}: the folder of its Iceberg tables, null for none.
 */
public record DemoOptions(Path stateDir, int port, int kafkaPort, int registryPort, Duration lookback, double speed,
    int tenants, int nodes, long seed, double rate, boolean reset, Duration printEvery, String bind, String adminToken,
    String webhook, int ingestPort, boolean connect, Path lake) {
  public static final String LOOPBACK = "127.0.0.1";
  /** Alerts delivered by the webhook connector to a receiver in the demo, which prints them. */
  public static final String WEBHOOK_LOCAL = "local";
  /** No alert delivery. */
  public static final String WEBHOOK_OFF = "off";
  private static final SecureRandom RANDOM = new SecureRandom();

  public DemoOptions {
    if (speed < 1 || rate <= 0 || tenants < 1 || nodes < 1) {
      throw new IllegalArgumentException("speed >= 1, rate > 0, tenants and nodes >= 1");
    }
    if (bind == null || bind.isBlank() || adminToken == null || adminToken.length() < 8) {
      throw new IllegalArgumentException("a bind address and an admin token of at least 8 characters");
    }
    if (!WEBHOOK_LOCAL.equals(webhook) && !WEBHOOK_OFF.equals(webhook)
        && (webhook == null || !(webhook.startsWith("http://") || webhook.startsWith("https://")))) {
      throw new IllegalArgumentException("webhook: local, off or an http(s) URL, not " + webhook);
    }
  }

  /** The ingest gateway on any free port, power produced directly (no Connect worker for it). */
  public DemoOptions(Path stateDir, int port, int kafkaPort, int registryPort, Duration lookback, double speed,
      int tenants, int nodes, long seed, double rate, boolean reset, Duration printEvery, String bind, String adminToken,
      String webhook) {
    this(stateDir, port, kafkaPort, registryPort, lookback, speed, tenants, nodes, seed, rate, reset, printEvery, bind,
        adminToken, webhook, 0, false, null);
  }

  /** The same demo with the ingest gateway on {@code port}, and power through the DCGM connector when {@code connect}. */
  public DemoOptions withIngest(int gatewayPort, boolean viaConnect) {
    return new DemoOptions(stateDir, port, kafkaPort, registryPort, lookback, speed, tenants, nodes, seed, rate, reset,
        printEvery, bind, adminToken, webhook, gatewayPort, viaConnect, lake);
  }

  /** The same demo writing its history as Iceberg tables into {@code folder} (null: no lake). */
  public DemoOptions withLake(Path folder) {
    return new DemoOptions(stateDir, port, kafkaPort, registryPort, lookback, speed, tenants, nodes, seed, rate, reset,
        printEvery, bind, adminToken, webhook, ingestPort, connect, folder);
  }

  /** Without alert delivery. */
  public DemoOptions(Path stateDir, int port, int kafkaPort, int registryPort, Duration lookback, double speed,
      int tenants, int nodes, long seed, double rate, boolean reset, Duration printEvery, String bind, String adminToken) {
    this(stateDir, port, kafkaPort, registryPort, lookback, speed, tenants, nodes, seed, rate, reset, printEvery, bind,
        adminToken, WEBHOOK_OFF);
  }

  /** The same demo with another alert delivery. */
  public DemoOptions withWebhook(String target) {
    return new DemoOptions(stateDir, port, kafkaPort, registryPort, lookback, speed, tenants, nodes, seed, rate, reset,
        printEvery, bind, adminToken, target, ingestPort, connect, lake);
  }

  /** On loopback, with a random admin token. */
  public DemoOptions(Path stateDir, int port, int kafkaPort, int registryPort, Duration lookback, double speed,
      int tenants, int nodes, long seed, double rate, boolean reset, Duration printEvery) {
    this(stateDir, port, kafkaPort, registryPort, lookback, speed, tenants, nodes, seed, rate, reset, printEvery, LOOPBACK,
        randomToken());
  }

  /** 128 random bits, URL-safe: a bearer token nobody can guess. */
  public static String randomToken() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
