package io.marginflow.connectors.power;

import io.marginflow.connectors.power.PowerSourceConfig.Endpoint;

/** Where one endpoint of the task stands: when to ask it next, its failures and empty answers in a row, what it reached. */
final class EndpointState {
  final Endpoint endpoint;
  long nextAttemptMs = Long.MIN_VALUE;
  int failures;
  long reachedMs = Long.MIN_VALUE;
  int emptyScrapes;

  EndpointState(Endpoint endpoint) {
    this.endpoint = endpoint;
  }
}
