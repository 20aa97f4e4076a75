/** Kafka Connect connectors (DCGM/Kepler power, OpenTelemetry GenAI usage); they arrive with their issue. */
package io.marginflow.connectors;
