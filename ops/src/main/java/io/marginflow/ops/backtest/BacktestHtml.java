package io.marginflow.ops.backtest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.ops.backtest.PolicyOutcome.Adjustment;
import io.marginflow.ops.backtest.PolicyOutcome.Totals;
import io.marginflow.topology.query.Json;
import io.marginflow.topology.query.QueryServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * report.html: one file that opens anywhere, offline. Chart.js is inlined from its WebJar (no CDN); the figures are
 * embedded as JSON; the tables are plain HTML so that the numbers read without JavaScript.
 */
final class BacktestHtml {
  private BacktestHtml() {
  }

  static String render(BacktestReport report) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>marginflow backtest</title>\n<style>")
        .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}")
        .append("th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left;white-space:nowrap}")
        .append(".neg{color:#b00}.chart{max-width:1100px;height:340px}code{background:#f4f4f4;padding:1px 4px}")
        .append("</style></head><body>\n<h1>marginflow backtest</h1>\n<p>The same scenario replayed through the real ")
        .append("pipeline once per policy (and demand model); sums of the 1h windows, idle capacity included in the totals. ")
        .append("Differences are against the first policy, <b>").append(esc(report.baseline().policy()))
        .append("</b>, under the same demand.</p>\n");
    policies(h, report);
    h.append("<h2>Multipliers over time</h2>\n");
    for (int i = 0; i < report.outcomes().size(); i++) {
      h.append("<h3>").append(esc(report.name(report.outcomes().get(i)))).append("</h3><div class=\"chart\"><canvas id=\"m")
          .append(i).append("\"></canvas></div>\n");
    }
    h.append("<h2>Margin per tenant</h2><div class=\"chart\"><canvas id=\"tenants\"></canvas></div>\n");
    tenants(h, report);
    h.append("<script>\n").append(chartJs()).append("\n</script>\n<script id=\"data\" type=\"application/json\">")
        .append(json(data(report)).replace("<", "\\u003c")).append("</script>\n<script>\n")
        .append(SCRIPT).append("</script>\n</body></html>\n");
    return h.toString();
  }

  private static void policies(StringBuilder h, BacktestReport report) {
    h.append("<h2>Policies</h2><table><tr><th>policy</th><th>settings</th><th>requests</th><th>revenue USD</th>")
        .append("<th>cost USD</th><th>margin USD</th><th>margin</th><th>idle USD</th><th>GPU use</th><th>adjustments</th>")
        .append("<th>multipliers</th><th>passes</th><th>requests vs baseline</th><th>revenue vs baseline</th>")
        .append("<th>margin vs baseline</th></tr>\n");
    for (PolicyOutcome o : report.outcomes()) {
      Totals t = o.total();
      Totals b = report.baseline(o).total();
      String settings = o.settings().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(" "));
      h.append("<tr><td>").append(esc(report.name(o))).append("</td><td><code>").append(esc(settings.isEmpty() ? "(defaults)"
          : settings)).append("</code></td><td>").append(String.format("%,d", t.requests())).append("</td>")
          .append(money(t.revenueUsd())).append(money(t.costUsd())).append(money(t.marginUsd())).append("<td>")
          .append(BacktestReport.percent(t.marginRatio())).append("</td>").append(money(o.idleCostUsd())).append("<td>")
          .append(BacktestReport.percent(o.gpuUtilization())).append("</td><td>").append(o.adjustments().size())
          .append("</td><td>").append(BacktestReport.multiplier(o.minMultiplier())).append(" .. ")
          .append(BacktestReport.multiplier(o.maxMultiplier())).append("</td><td>")
          .append(Math.max(1, o.demand().passes().size())).append(o.demand().converged() ? "" : " (no fixed point)")
          .append("</td>");
      if (o == report.baseline(o)) {
        h.append("<td></td><td></td><td></td>");
      } else {
        h.append("<td>").append(String.format("%+,d", t.requests() - b.requests())).append("</td>")
            .append(money(t.revenueUsd().subtract(b.revenueUsd()))).append(money(t.marginUsd().subtract(b.marginUsd())));
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static void tenants(StringBuilder h, BacktestReport report) {
    h.append("<table><tr><th>tenant</th>");
    List<PolicyOutcome> compared = report.outcomes().stream().filter(o -> o != report.baseline(o)).toList();
    report.outcomes().forEach(o -> h.append("<th>").append(esc(report.name(o))).append(" revenue USD</th><th>")
        .append(esc(report.name(o))).append(" margin USD</th><th>margin</th>"));
    compared.forEach(o -> h.append("<th>").append(esc(report.name(o))).append(" margin vs baseline</th>"));
    h.append("</tr>\n");
    for (String tenant : report.tenants()) {
      h.append("<tr><td>").append(esc(tenant)).append("</td>");
      for (PolicyOutcome o : report.outcomes()) {
        Totals t = o.tenant(tenant);
        h.append(money(t.revenueUsd())).append(money(t.marginUsd())).append("<td>")
            .append(BacktestReport.percent(t.marginRatio())).append("</td>");
      }
      for (PolicyOutcome o : compared) {
        h.append(money(o.tenant(tenant).marginUsd().subtract(report.baseline(o).tenant(tenant).marginUsd())));
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  /** Per policy, a stepped series per (model, region): 1 from the scenario's start, then each adjustment. */
  private static ObjectNode data(BacktestReport report) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode policies = root.putArray("policies");
    List<String> tenants = report.tenants();
    ArrayNode names = root.putArray("tenants");
    tenants.forEach(names::add);
    for (PolicyOutcome o : report.outcomes()) {
      ObjectNode p = policies.addObject().put("name", report.name(o)).put("from", o.fromMs()).put("to", o.toMs());
      Map<String, ArrayNode> series = new TreeMap<>();
      for (Adjustment a : o.adjustments()) {
        ArrayNode points = series.computeIfAbsent(a.pair(), k -> Json.MAPPER.createArrayNode()
            .add(Json.MAPPER.createArrayNode().add(o.fromMs()).add(a.previous())));
        points.add(Json.MAPPER.createArrayNode().add(a.effectiveFromMs()).add(a.multiplier()));
      }
      ObjectNode s = p.putObject("series");
      series.forEach((pair, points) -> {
        points.add(Json.MAPPER.createArrayNode().add(o.toMs()).add(points.get(points.size() - 1).get(1)));
        s.set(pair, points);
      });
      ArrayNode margins = p.putArray("margins");
      tenants.forEach(t -> margins.add(o.tenant(t).marginUsd()));
    }
    return root;
  }

  private static String json(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String money(java.math.BigDecimal v) {
    return "<td" + (v.signum() < 0 ? " class=\"neg\"" : "") + ">" + String.format("%,.2f", v) + "</td>";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String chartJs() {
    try (InputStream in = BacktestHtml.class.getClassLoader().getResourceAsStream(QueryServer.CHART_JS)) {
      if (in == null) {
        throw new IllegalStateException("Chart.js is not on the class path: " + QueryServer.CHART_JS);
      }
      // A script element ends at the first "</script": the library must not contain one (it does not; checked).
      String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (js.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
        throw new IllegalStateException("Chart.js cannot be inlined: it contains </script");
      }
      return js;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String SCRIPT = """
      const data = JSON.parse(document.getElementById('data').textContent);
      const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f',
        '#bcbd22'];
      const time = v => new Date(v).toISOString().slice(5, 16).replace('T', ' ');
      data.policies.forEach((p, i) => {
        const datasets = Object.entries(p.series).map(([pair, points], k) => ({
          label: pair, data: points.map(([x, y]) => ({x, y: Number(y)})), stepped: 'after', borderWidth: 1.5,
          pointRadius: 0, borderColor: palette[k % palette.length], backgroundColor: palette[k % palette.length]}));
        new Chart(document.getElementById('m' + i), {type: 'line', data: {datasets}, options: {
          animation: false, maintainAspectRatio: false, parsing: true,
          plugins: {title: {display: datasets.length === 0, text: 'no adjustments: every multiplier stayed at 1'}},
          scales: {x: {type: 'linear', min: p.from, max: p.to, ticks: {callback: time}},
                   y: {title: {display: true, text: 'multiplier'}}}}});
      });
      new Chart(document.getElementById('tenants'), {type: 'bar', data: {labels: data.tenants,
        datasets: data.policies.map((p, k) => ({label: p.name, data: p.margins.map(Number),
          backgroundColor: palette[k % palette.length]}))},
        options: {animation: false, maintainAspectRatio: false,
          scales: {y: {title: {display: true, text: 'gross margin USD'}}}}});
      """;
}
