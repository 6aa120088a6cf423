/**
 * GET /ui: a single self-contained page that polls /v1/freeway/state and shows each deployment's
 * quota, breaker and latency. It talks HTTP only; when the gateway needs a key, the page asks for it.
 */
export const dashboardHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Freeway</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;background:#f7f8fa}
h1{font-size:20px;margin:0 0 4px}small{color:#667}
table{border-collapse:collapse;width:100%;margin-top:16px;background:#fff}
th,td{padding:6px 10px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}.bar{height:8px;background:#e3e6ea;border-radius:4px;min-width:80px}
.bar>i{display:block;height:8px;border-radius:4px;background:#2f9e44}.low>i{background:#e8590c}
.open{color:#c92a2a;font-weight:600}.half-open{color:#e8590c}.closed{color:#2f9e44}
#err{color:#c92a2a}
</style></head><body>
<h1>Freeway</h1><small id="summary">loading…</small> <span id="err"></span>
<table><thead><tr><th>Deployment</th><th>Breaker</th><th>Quota left</th><th>Latency (TTFT p50)</th></tr></thead><tbody id="rows"></tbody></table>
<script>
let key = sessionStorage.getItem('freeway-key') || '';
async function load() {
  const response = await fetch('/v1/freeway/state', { headers: key ? { authorization: 'Bearer ' + key } : {} });
  if (response.status === 401) { key = prompt('Freeway API key') || ''; sessionStorage.setItem('freeway-key', key); return; }
  const state = await response.json();
  document.getElementById('summary').textContent =
    state.deployments.length + ' deployments · queue ' + JSON.stringify(state.queue || {}) + ' · updated ' + new Date().toLocaleTimeString();
  const rows = state.deployments.map((d) => {
    const limits = (d.limits || []).map((l) => {
      const share = l.limit ? Math.max(0, Math.min(1, l.remaining / l.limit)) : 1;
      return '<div title="' + l.label + '"><div class="bar' + (share < 0.2 ? ' low' : '') + '"><i style="width:' + (share * 100).toFixed(0) + '%"></i></div>' +
        '<small>' + Math.floor(l.remaining) + ' / ' + l.label + (l.parkedUntil ? ' · parked' : '') + '</small></div>';
    }).join('');
    const latency = d.latency && d.latency.ttftMs ? Math.round(d.latency.ttftMs) + ' ms' : '–';
    return '<tr><td>' + d.id + '</td><td class="' + d.breaker + '">' + d.breaker + '</td><td>' + (limits || '–') + '</td><td>' + latency + '</td></tr>';
  });
  document.getElementById('rows').innerHTML = rows.join('');
}
async function tick() { try { await load(); document.getElementById('err').textContent = ''; } catch (e) { document.getElementById('err').textContent = String(e); } setTimeout(tick, 2000); }
tick();
</script></body></html>`;
