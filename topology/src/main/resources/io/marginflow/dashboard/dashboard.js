// marginflow dashboard: reads only the query API. The bearer token comes in the address (#token= or ?token=), is
// kept in this tab's session storage and taken out of the address bar at once (history, bookmarks, screen shares).
(function () {
  const params = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const given = fragment.get('token') || params.get('token');
  if (given) {
    sessionStorage.setItem('marginflow.token', given);
    params.delete('token');
    fragment.delete('token');
    const query = params.toString();
    const hash = fragment.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + (hash ? '#' + hash : ''));
  }
  const token = sessionStorage.getItem('marginflow.token');
  const state = { ready: false, marginPoints: 0, nodes: 0, refreshes: 0 };
  window.__marginflow = state;
  const colors = ['#3949ab', '#e53935', '#00897b', '#fb8c00', '#8e24aa', '#6d4c41', '#1e88e5', '#43a047'];
  const usd = v => v == null ? '–' : (Number(v) < 0 ? '-$' : '$') + Math.abs(Number(v)).toFixed(Math.abs(Number(v)) < 1 ? 4 : 2);
  const pct = v => v == null ? '–' : (Number(v) * 100).toFixed(1) + '%';
  const hhmm = ms => new Date(ms).toISOString().substring(11, 16);
  // Tenant, model, region and node ids are data from producers: never markup.
  const esc = v => String(v).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  async function api(path) {
    const r = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
    const body = await r.json();
    if (!r.ok) { throw new Error(body.error || r.status); }
    return body;
  }

  function rows(table, list, render) {
    const tbody = document.querySelector('#' + table + ' tbody');
    tbody.innerHTML = list.length ? list.map(render).join('') : '<tr><td class="muted" colspan="8">no data yet</td></tr>';
  }

  const marginChart = new Chart(document.getElementById('marginChart'), {
    type: 'line', data: { labels: [], datasets: [] },
    options: { animation: false, responsive: true, interaction: { mode: 'nearest', intersect: false },
      scales: { y: { title: { display: true, text: 'gross margin, USD' } } } } });
  const energyChart = new Chart(document.getElementById('energyChart'), {
    type: 'bar', data: { labels: [], datasets: [] },
    options: { animation: false, responsive: true, scales: { x: { stacked: true }, y: { stacked: true } } } });

  async function refreshMargins() {
    const top = await api('/v1/tenants?window=1h&sort=revenue_usd&order=desc&limit=6');
    const asOf = top.as_of_ms;
    const series = await Promise.all(top.tenants.map(t =>
      api('/v1/tenants/' + encodeURIComponent(t.tenant_id) + '/margins?window=1h&from=' + Math.max(0, asOf - 12 * 3600000) + '&to=' + asOf)));
    const starts = [...new Set(series.flatMap(s => s.windows.map(w => w.window_start_ms)))].sort((a, b) => a - b);
    marginChart.data.labels = starts.map(hhmm);
    marginChart.data.datasets = series.map((s, i) => ({
      label: s.tenant_id, borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], tension: 0.2,
      data: starts.map(st => { const w = s.windows.find(x => x.window_start_ms === st); return w ? Number(w.gross_margin_usd) : null; })
    }));
    marginChart.update();
    state.marginPoints = series.reduce((n, s) => n + s.windows.length, 0);
    return asOf;
  }

  async function refreshTables() {
    const losers = await api('/v1/tenants?window=24h&sort=gross_margin_usd&order=asc&limit=10');
    rows('losers', losers.tenants.filter(t => Number(t.gross_margin_usd) < 0), t =>
      `<tr><td>${esc(t.tenant_id)}</td><td>${usd(t.revenue_usd)}</td><td>${usd(t.total_cost_usd)}</td>` +
      `<td class="neg">${usd(t.gross_margin_usd)}</td><td>${pct(t.margin_ratio)}</td></tr>`);
    const unit = await api('/v1/unit-economics?group=model&window=24h');
    rows('unit', unit.groups, g => `<tr><td>${esc(g.model)}</td><td>${g.requests}</td><td>${usd(g.revenue_usd_per_1m_output_tokens)}</td>` +
      `<td>${usd(g.cost_usd_per_1m_output_tokens)}</td><td>${g.kwh_per_1m_output_tokens == null ? '–' : Number(g.kwh_per_1m_output_tokens).toFixed(2)}</td>` +
      `<td>${usd(g.cache_savings_usd)}</td></tr>`);
    const costs = await api('/v1/unit-costs');
    state.unitCosts = costs.unit_costs.length;
    rows('unitcosts', costs.unit_costs, c => `<tr><td>${esc(c.model)}</td><td>${esc(c.region)}</td><td>${hhmm(c.interval_start_ms)}</td>` +
      `<td>${usd(c.cost_usd_per_1m_output_tokens)}</td><td>${usd(c.revenue_usd_per_1m_output_tokens)}</td>` +
      `<td>${c.kwh_per_1m_output_tokens == null ? '–' : Number(c.kwh_per_1m_output_tokens).toFixed(2)}</td>` +
      `<td>${pct(c.idle_share)}</td><td>${pct(c.compute_pressure)}</td></tr>`);
    const pricing = await api('/v1/pricing');
    state.pricesMoved = pricing.multipliers.filter(m => Number(m.multiplier) !== 1).length;
    rows('pricing', pricing.multipliers, m => `<tr><td>${esc(m.model)}</td><td>${esc(m.region)}</td><td>${Number(m.multiplier).toFixed(2)}</td>` +
      `<td>${usd(m.output_usd_per_mtok)}</td></tr>`);
    const alerts = await api('/v1/alerts?order=desc&limit=12');
    document.getElementById('alerts').innerHTML = alerts.alerts.length
      ? alerts.alerts.map(a => `<li class="alert ${esc(a.kind)}"><span class="when">${hhmm(a.observed_at_ms)}</span> ` +
          `<b>${esc(a.kind)}</b> ${esc(a.tenant_id || a.node_id)}` +
          (a.kind === 'ZOMBIE_NODE' ? `: ${pct(a.idle_share)} idle of ${usd(a.node_cost_usd)}`
            : a.kind === 'THRESHOLD' ? `: ${pct(a.threshold)} of ${usd(a.limit_usd)} ${esc(a.metric)} (${usd(a.amount_usd)})`
            : a.kind === 'FORECAST' ? `: ${usd(a.projected_usd)} projected against ${usd(a.limit_usd)}`
            : `: ${usd(a.amount_usd)}`) + '</li>').join('')
      : '<li class="muted">none</li>';
  }

  async function refreshEnergy(asOf) {
    const nodes = (await api('/v1/nodes')).nodes;
    const energy = await Promise.all(nodes.map(n =>
      api('/v1/nodes/' + encodeURIComponent(n.node_id) + '/energy?from=' + Math.max(0, asOf - 3600000) + '&to=' + asOf)));
    const kwh = e => e.buckets.reduce((s, b) => s + Number(b.energy_kwh), 0);
    const idleShare = e => { const t = e.buckets.reduce((s, b) => s + Number(b.total_cost_usd), 0);
      return t > 0 ? e.buckets.reduce((s, b) => s + Number(b.idle_cost_usd), 0) / t : 0; };
    energyChart.data.labels = energy.map(e => e.node_id);
    energyChart.data.datasets = [
      { label: 'serving', backgroundColor: '#3949ab', data: energy.map(e => kwh(e) * (1 - idleShare(e))) },
      { label: 'idle', backgroundColor: '#e53935', data: energy.map(e => kwh(e) * idleShare(e)) }];
    energyChart.update();
    state.nodes = energy.filter(e => e.buckets.length > 0).length;
  }

  async function refresh() {
    if (!token) { document.getElementById('login').hidden = false; document.getElementById('status').textContent = 'no token'; return; }
    try {
      const asOf = await refreshMargins();
      await Promise.all([refreshTables(), refreshEnergy(asOf)]);
      state.refreshes++;
      document.getElementById('status').textContent = 'figures final through ' + (asOf > 0 ? new Date(asOf).toISOString().replace('.000Z', 'Z') : '–');
      if (state.marginPoints > 0 && state.nodes > 0) {
        state.ready = true;
        document.title = 'marginflow — live';
      }
    } catch (e) {
      document.getElementById('status').textContent = 'waiting for data: ' + e.message;
    }
  }
  refresh();
  setInterval(refresh, 5000);
})();
