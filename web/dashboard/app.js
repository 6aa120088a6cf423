/*
 * Freeway's dashboard: one EventSource (/ui/events) brings the last 15 minutes on connect, then a
 * snapshot a second. Everything that comes from the gateway (ids, model names, reasons, routes)
 * is written with textContent through el(): never as HTML.
 */
'use strict';

const WINDOW_SECONDS = 15 * 60;
const COLORS = ['#2f6fd6', '#2b9a4a', '#e08a12', '#d1372f', '#6246d8', '#0f9aa8', '#b5468b', '#7a8a1c', '#8c5a2b', '#475569'];

let series = [];
let source;
const charts = {};
// The charts' uPlot instances, for the browser tests and for a curious console.
window.freewayCharts = charts;

/** Builds an element: props are properties (textContent, className, title…) or data-*; children are nodes or text. */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (name.startsWith('data-')) node.setAttribute(name, String(value));
    else if (name === 'style') Object.assign(node.style, value);
    else node[name] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const byId = (id) => document.getElementById(id);

function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60 ? (s % 60) + ' s' : '');
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}
const compact = (n) => (n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e4 ? Math.round(n / 1e3) + 'k' : String(Math.floor(n)));

// ---- connection and sign-in -------------------------------------------------------------------

function setConnection(state, text) {
  const node = byId('connection');
  node.dataset.state = state;
  node.textContent = text;
}

async function start() {
  let session;
  try {
    session = await (await fetch('/ui/session', { credentials: 'same-origin' })).json();
  } catch {
    setConnection('lost', 'gateway unreachable');
    setTimeout(start, 3000);
    return;
  }
  if (!session.signedIn) {
    byId('main').hidden = true;
    byId('sign-in').hidden = false;
    setConnection('lost', 'sign in needed');
    byId('key-input').focus();
    return;
  }
  byId('sign-in').hidden = true;
  byId('main').hidden = false;
  connect();
}

function connect() {
  if (source) source.close();
  source = new EventSource('/ui/events');
  source.addEventListener('open', () => setConnection('live', 'live'));
  source.addEventListener('history', (event) => {
    const history = JSON.parse(event.data);
    series = history.series;
    if (history.state) renderState(history.state);
    renderCharts();
  });
  source.addEventListener('snapshot', (event) => {
    const snapshot = JSON.parse(event.data);
    series.push(snapshot.point);
    if (series.length > WINDOW_SECONDS) series.splice(0, series.length - WINDOW_SECONDS);
    renderState(snapshot.state);
    renderCharts();
  });
  source.addEventListener('error', () => {
    setConnection('lost', 'reconnecting…');
    // A refused stream (signed out, gateway restarted with other keys) is closed for good: ask again.
    if (source.readyState === EventSource.CLOSED) setTimeout(start, 2000);
  });
}

byId('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('key-input');
  const response = await fetch('/ui/session', { method: 'POST', headers: { authorization: 'Bearer ' + input.value }, credentials: 'same-origin' });
  input.value = '';
  if (response.ok) {
    byId('sign-in-error').textContent = '';
    start();
  } else {
    byId('sign-in-error').textContent = 'That key was refused.';
  }
});

// ---- state: tiles, providers, batches, recent requests ----------------------------------------

function renderState(state) {
  const deployments = state.deployments || [];
  const queue = state.queue || {};
  const queued = (queue.high || 0) + (queue.normal || 0) + (queue.low || 0);
  const providers = state.providers || [];
  byId('summary').textContent =
    providers.length + ' providers · ' + deployments.length + ' deployments · quota store ' + ((state.store && state.store.backend) || 'memory') + (state.store && state.store.isDegraded ? ' (degraded)' : '') + ' · ' + new Date(state.at).toLocaleTimeString();
  renderTiles(queued);
  renderProviders(state);
  renderBatches(state.batches);
  renderRequests(state.recentRequests || []);
}

function sumOver(seconds, pick) {
  let total = 0;
  for (const point of series.slice(-seconds)) total += pick(point) || 0;
  return total;
}

function renderTiles(queued) {
  const lastMinute = sumOver(60, (p) => p.requests.ok + p.requests.cache_hit + p.requests.quota_exhausted + p.requests.failed);
  const answered = sumOver(WINDOW_SECONDS, (p) => p.requests.ok + p.requests.cache_hit);
  const hits = sumOver(WINDOW_SECONDS, (p) => p.requests.cache_hit);
  const refused = sumOver(WINDOW_SECONDS, (p) => p.upstream429);
  const exhausted = sumOver(WINDOW_SECONDS, (p) => p.quotaExhausted);
  const failed = sumOver(WINDOW_SECONDS, (p) => p.requests.failed);
  const saved = sumOver(WINDOW_SECONDS, (p) => p.upstreamCallsSaved);
  const tile = (label, value, tone) => el('div', { className: 'tile' + (tone ? ' ' + tone : '') }, el('div', { className: 'value' }, value), el('div', { className: 'label' }, label));
  byId('tiles').replaceChildren(
    tile('requests in the last minute', compact(lastMinute)),
    tile('upstream 429s (15 min)', compact(refused), refused === 0 ? 'good' : 'bad'),
    tile('quota_exhausted answers (15 min)', compact(exhausted), exhausted === 0 ? 'good' : 'bad'),
    tile('failed requests (15 min)', compact(failed), failed === 0 ? 'good' : 'bad'),
    tile('cache hit ratio (15 min)', answered ? Math.round((100 * hits) / answered) + ' %' : '–'),
    tile('upstream calls saved (15 min)', compact(saved)),
    tile('waiting for quota now', compact(queued), queued === 0 ? 'good' : undefined),
  );
}

function limitRow(limit, at) {
  const share = limit.limit > 0 ? Math.max(0, Math.min(1, limit.remaining / limit.limit)) : 1;
  const tone = share <= 0 ? ' empty' : share < 0.2 ? ' low' : '';
  const resetIn = limit.resetInMs !== undefined ? limit.resetInMs : Date.parse(limit.resetAt) - Date.parse(at);
  return el(
    'div',
    { className: 'limit', title: limit.label + (limit.learned ? ' (learned from the provider)' : ' (configured)') },
    el('span', {}, compact(Math.max(0, limit.remaining)) + ' / ' + limit.label + (limit.learned ? ' ·learned' : '')),
    el('div', { className: 'bar' + tone }, el('i', { style: { width: (share * 100).toFixed(1) + '%' } })),
    el('span', { className: 'reset' }, 'resets in ' + duration(resetIn)),
  );
}

function renderProviders(state) {
  const scopes = (state.quota && state.quota.scopes) || [];
  const deployments = state.deployments || [];
  const providerIds = [...new Set([...(state.providers || []).map((p) => p.id), ...scopes.map((s) => s.scope.split(':')[0])])];
  const cards = providerIds.map((id) => {
    const info = (state.providers || []).find((p) => p.id === id) || {};
    const mine = deployments.filter((d) => d.provider === id);
    const scopeNodes = scopes
      .filter((s) => s.scope.split(':')[0] === id)
      .map((s) =>
        el(
          'div',
          { className: 'scope', 'data-scope': s.scope },
          el('div', { className: 'scope-name' }, s.scope),
          s.parked
            ? el('div', { className: 'parked', 'data-parked': s.scope }, 'parked until ' + new Date(s.parked.until).toLocaleString() + ' (resets in ' + duration(Date.parse(s.parked.until) - Date.parse(state.at)) + ')' + (s.parked.reason ? ' · ' + s.parked.reason : ''))
            : null,
          s.limits.map((l) => limitRow(l, state.at)),
        ),
      );
    const disabled = [...new Map(mine.filter((d) => d.keyDisabled).map((d) => [d.key, d.keyDisabled])).entries()].map(([key, reason]) =>
      el('div', { className: 'disabled-key' }, 'key ' + key + ' disabled: ' + reason),
    );
    const chips = mine.map((d) =>
      el(
        'span',
        { className: 'deployment', title: d.id + (d.lastFailure ? ' · last failure ' + d.lastFailure.code + ' at ' + d.lastFailure.at : '') },
        d.model,
        el('span', { className: 'badge ' + d.breaker }, d.breaker),
        d.latency ? el('span', { className: 'reset' }, d.latency.ttftMs + ' ms') : null,
      ),
    );
    const open = mine.filter((d) => d.breaker !== 'closed').length;
    return el(
      'div',
      { className: 'provider', 'data-provider': id },
      el('h3', {}, id, el('span', { className: 'dialect' }, info.dialect || ''), open ? el('span', { className: 'badge open' }, open + ' breaker(s) not closed') : el('span', { className: 'badge ok' }, 'healthy')),
      disabled,
      scopeNodes.length ? scopeNodes : el('div', { className: 'note' }, 'No limits known yet.'),
      el('div', { className: 'deployments' }, chips),
    );
  });
  byId('providers').replaceChildren(...cards);
}

function renderBatches(batches) {
  const target = byId('batches');
  if (!Array.isArray(batches) || batches.length === 0) {
    target.replaceChildren(el('div', { className: 'empty' }, 'No batches.'));
    return;
  }
  const rows = batches.map((b) => {
    const counts = b.request_counts || { total: 0, completed: 0, failed: 0 };
    const done = counts.total ? (counts.completed + counts.failed) / counts.total : 0;
    return el(
      'tr',
      { 'data-batch': b.id },
      el('td', {}, b.id),
      el('td', {}, el('span', { className: 'badge' + (b.status === 'failed' ? ' bad' : b.status === 'completed' ? ' ok' : '') }, b.status)),
      el('td', {}, b.endpoint),
      el('td', {}, el('div', { className: 'bar', style: { width: '140px' } }, el('i', { style: { width: (done * 100).toFixed(1) + '%' } })), counts.completed + counts.failed + ' / ' + counts.total),
      el('td', {}, String(counts.failed)),
      el('td', {}, String(b.waiting_on_quota ?? '–')),
      el('td', {}, String(b.in_flight ?? '–')),
      el('td', {}, b.rate_per_minute != null ? b.rate_per_minute.toFixed(1) + '/min' : '–'),
      el('td', {}, b.eta_seconds != null ? duration(b.eta_seconds * 1000) : '–'),
      el('td', {}, b.expires_at ? new Date(typeof b.expires_at === 'number' ? b.expires_at * 1000 : b.expires_at).toLocaleString() : '–'),
    );
  });
  const head = ['batch', 'status', 'endpoint', 'progress', 'errors', 'waiting on quota', 'in flight', 'rate', 'ETA', 'expires'].map((h) => el('th', {}, h));
  target.replaceChildren(el('div', { className: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {}, head)), el('tbody', {}, rows))));
}

function outcomeBadge(outcome) {
  const tone = outcome === 'ok' ? 'ok' : outcome === 'cache_hit' ? 'hit' : outcome === 'quota_exhausted' ? 'warn' : 'bad';
  return el('span', { className: 'badge ' + tone }, outcome);
}

function renderRequests(requests) {
  const rows = requests.map((r) =>
    el(
      'tr',
      { 'data-request': r.id, onclick: () => showDetails(r) },
      el('td', {}, new Date(r.at).toLocaleTimeString()),
      el('td', {}, r.model),
      el('td', {}, r.provider ? r.provider + ' / ' + r.upstreamModel : '–'),
      el('td', { className: 'why' }, r.route || r.error || ''),
      el('td', {}, String(r.attempts)),
      el('td', {}, r.cache || '–'),
      el('td', {}, outcomeBadge(r.outcome)),
      el('td', {}, r.latencyMs + ' ms'),
    ),
  );
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 8, className: 'note' }, 'No requests yet.')));
  byId('requests').replaceChildren(...rows);
}

async function showDetails(request) {
  const panel = byId('details');
  panel.hidden = false;
  byId('details-id').textContent = request.id;
  const facts = [
    ['at', new Date(request.at).toLocaleString()], ['endpoint', request.endpoint], ['priority', request.priority], ['model asked', request.model],
    ['provider', request.provider || '–'], ['upstream model', request.upstreamModel || '–'], ['route', request.route || '–'], ['attempts', request.attempts],
    ['cache', request.cache || '–'], ['stream', request.stream ? 'yes' : 'no'], ['outcome', request.outcome], ['error', request.error || '–'], ['latency', request.latencyMs + ' ms'],
  ];
  byId('details-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
  byId('details-note').textContent = 'loading…';
  byId('details-candidates').replaceChildren();
  byId('details-json').textContent = '';
  const response = await fetch('/ui/requests/' + encodeURIComponent(request.id), { credentials: 'same-origin' });
  const body = await response.json();
  if (!response.ok) {
    byId('details-note').textContent = (body.error && body.error.message) || 'Not available.';
    return;
  }
  byId('details-note').textContent = body.note;
  const explanation = body.explanation;
  if (!explanation) return;
  byId('details-json').textContent = JSON.stringify(explanation, null, 2);
  const candidates = explanation.candidates || [];
  const skipped = (explanation.deployments || []).filter((d) => d.skipped || d.reason);
  byId('details-candidates').replaceChildren(
    el('p', {}, 'Task: ' + ((explanation.features && explanation.features.kind) || '–') + ', difficulty ' + ((explanation.features && explanation.features.difficulty) || '–') + '. Tried in this order:'),
    el('ol', {}, candidates.map((c) => el('li', {}, c.provider + ' / ' + c.model + (c.maxTokens ? ' (max_tokens ' + c.maxTokens + ')' : '')))),
    skipped.length ? el('p', {}, 'Not considered:') : null,
    skipped.length ? el('ul', {}, skipped.map((d) => el('li', {}, (d.id || '') + ': ' + (d.skipped || d.reason)))) : null,
  );
}
byId('details-close').addEventListener('click', () => (byId('details').hidden = true));

// ---- charts -----------------------------------------------------------------------------------

function chartWidth(id) {
  return Math.max(300, byId(id).clientWidth || 460);
}

function lineSeries(label, color, extra) {
  return Object.assign({ label, stroke: color, width: 1.6, points: { show: false } }, extra || {});
}

/** Creates or updates a chart; recreated when its series change (a new provider appears). */
function draw(id, seriesSpecs, data, axes) {
  const key = seriesSpecs.map((s) => s.label).join('|');
  const existing = charts[id];
  if (existing && existing.key === key) {
    existing.plot.setData(data);
    return;
  }
  if (existing) existing.plot.destroy();
  const options = {
    width: chartWidth(id),
    height: 180,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    series: [{}, ...seriesSpecs],
    axes: axes || [{}, { size: 50 }],
  };
  charts[id] = { key, plot: new uPlot(options, data, byId(id)) };
}

function renderCharts() {
  if (typeof uPlot === 'undefined') return;
  const xs = series.map((p) => p.t);
  const col = (pick) => series.map(pick);
  draw(
    'chart-requests',
    [lineSeries('ok', COLORS[1]), lineSeries('cache hit', COLORS[0]), lineSeries('quota_exhausted', COLORS[2]), lineSeries('failed', COLORS[3])],
    [xs, col((p) => p.requests.ok), col((p) => p.requests.cache_hit), col((p) => p.requests.quota_exhausted), col((p) => p.requests.failed)],
  );
  draw(
    'chart-upstream',
    [lineSeries('upstream calls', COLORS[0]), lineSeries('upstream 429s', COLORS[3]), lineSeries('quota_exhausted answers', COLORS[2])],
    [xs, col((p) => p.upstreamCalls), col((p) => p.upstream429), col((p) => p.quotaExhausted)],
  );
  const providers = [...new Set(series.flatMap((p) => Object.keys(p.latency)))].sort();
  const latencySpecs = providers.flatMap((name, i) => [lineSeries(name + ' p50', COLORS[i % COLORS.length]), lineSeries(name + ' p95', COLORS[i % COLORS.length], { dash: [4, 4], width: 1.2 })]);
  const latencyData = [xs, ...providers.flatMap((name) => [col((p) => (p.latency[name] ? p.latency[name].p50 : null)), col((p) => (p.latency[name] ? p.latency[name].p95 : null))])];
  draw('chart-latency', latencySpecs.length ? latencySpecs : [lineSeries('no answers yet', COLORS[9])], latencySpecs.length ? latencyData : [xs, col(() => null)]);
  draw(
    'chart-cache',
    [lineSeries('hit ratio %', COLORS[0], { scale: '%' }), lineSeries('calls saved/s', COLORS[1])],
    [xs, col((p) => (p.cacheHitRatio === null ? null : Math.round(p.cacheHitRatio * 100))), col((p) => p.upstreamCallsSaved)],
    [{}, { size: 50 }, { side: 1, scale: '%', size: 40, grid: { show: false } }],
  );
  draw(
    'chart-queue',
    [lineSeries('high', COLORS[3]), lineSeries('normal', COLORS[0]), lineSeries('low', COLORS[9])],
    [xs, col((p) => p.queue.high), col((p) => p.queue.normal), col((p) => p.queue.low)],
  );
}

window.addEventListener('resize', () => {
  for (const [id, chart] of Object.entries(charts)) chart.plot.setSize({ width: chartWidth(id), height: 180 });
});

start();
