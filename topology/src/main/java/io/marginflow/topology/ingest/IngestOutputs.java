package io.marginflow.topology.ingest;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetStatus;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/** An ingest processor's outputs as the topology wires them: one child node per {@link Route}. */
public final class IngestOutputs {
  private IngestOutputs() {
  }

  /** Where the usage ingest's budget alerts and status records go (SPEC 6). */
  public record BudgetOutputs(String alerts, Serde<BudgetAlert> alertSerde, String status, Serde<BudgetStatus> statusSerde) {
  }

  /** The budget topics of {@code t}, with their serdes. */
  public static BudgetOutputs budgets(Topics t, MarginflowSerdes serdes) {
    return new BudgetOutputs(t.alertsBudget(), serdes.value(BudgetAlert.class), t.budgetsStatus(),
        serdes.value(BudgetStatus.class));
  }

  /**
   * Sends dead letters and late records to their topics (original bytes, reason headers), and budget alerts and status
   * records to theirs where {@code budgets} is given; returns the rest.
   */
  public static KStream<String, AttributionInput> route(KStream<String, Routed<AttributionInput>> routed, String topic,
      String name, BudgetOutputs budgets) {
    // The ingest processor forwards each record to the child of its route (Route#child): these are those children.
    routed.map((k, v) -> KeyValue.pair(v.rawKey(), v.rawValue()), Named.as(Route.DLQ.child(name)))
        .to(Topics.dlq(topic), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-dlq-sink"));
    routed.map((k, v) -> KeyValue.pair(v.rawKey(), v.rawValue()), Named.as(Route.LATE.child(name)))
        .to(Topics.late(topic), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-late-sink"));
    if (budgets != null) {
      routed.mapValues(Routed::budgetAlert, Named.as(Route.ALERT.child(name)))
          .to(budgets.alerts(), Produced.with(Serdes.String(), budgets.alertSerde()).withName(name + "-alerts-sink"));
      routed.mapValues(Routed::budgetStatus, Named.as(Route.STATUS.child(name)))
          .to(budgets.status(), Produced.with(Serdes.String(), budgets.statusSerde()).withName(name + "-status-sink"));
    }
    return routed.mapValues(Routed::value, Named.as(Route.MAIN.child(name)));
  }
}
