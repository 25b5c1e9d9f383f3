// The calculator's results: the verdict (the core's coded verdict), the bars per GPU, the breakdown with
// its formulas, the curves, the rules of thumb, the model's facts and the engine's own figures, the
// warnings and assumptions, and, once the inputs settle, the core's `fit` (limits, GPUs that fit, what to
// change). Every function takes the app object (main.js); core texts go through app.say (text.js).
import * as core from './core.js';
import { $, h, dl, htmlLang, idle } from './dom.js';
import { formatBytes, formatInt, formatNumber, formatPercent, formatParams, formatTokens } from './format.js';
import { MemoryChart } from './charts.js';
import { PARTS } from './chartdata.js';

/** An element showing a core text in the page's language (lang="en" where it is still English). */
export function textEl(app, tag, text, attrs = {}) {
  const r = app.say(text);
  return h(tag, { ...attrs, lang: htmlLang(r.lang), text: r.text });
}

const busiestOf = (perGpu) => perGpu.reduce((a, b) => (b.total > a.total ? b : a));

export function renderVerdict(app, r) {
  const { el } = app;
  const v = app.say(r.verdict);
  const fits = r.per_gpu.some((g) => g.capacity > 0) ? r.fits : null;
  el.verdict.textContent = v.text;
  el.verdict.lang = htmlLang(v.lang);
  el.verdict.className = `verdict ${fits === true ? 'ok' : fits === false ? 'bad' : ''}`;
  const n = r.per_gpu.length;
  const needAll = r.per_gpu.reduce((s, g) => s + g.total, 0);
  const capAll = r.per_gpu.reduce((s, g) => s + g.capacity, 0);
  el.verdictSub.textContent = fits === false && n > 1 ? app.t('verdict_nofit_total', { need: app.gb(needAll), n: formatInt(n, app.lang), cap: app.gb(capAll) }) : '';
  const busiest = busiestOf(r.per_gpu);
  el.total.textContent = app.gb(busiest.total);
  el.total.dataset.bytes = String(busiest.total);
  el.total.setAttribute('aria-label', `${app.t('per_gpu_total')}: ${app.gb(busiest.total)}`);
  el.cap.textContent = busiest.capacity ? app.t('of_capacity', { cap: app.gb(busiest.capacity) }) : app.t('per_gpu_total');
  const host = r.host && r.host.bytes > 0 ? r.host.bytes : 0;
  el.host.hidden = !host;
  el.host.dataset.bytes = host ? String(host) : '';
  el.host.textContent = host ? app.t('host_line', { bytes: app.gb(host) }) : '';
  const rq = r.request;
  el.verdictDetail.textContent = app.t('verdict_detail', {
    model: r.model.name || r.model.id || 'config.json', weights: r.weights.label || rq.weights,
    ctx: formatTokens(rq.context_tokens, app.lang), conc: formatInt(rq.concurrency, app.lang), tp: rq.tensor_parallel, pp: rq.pipeline_parallel,
  });
  // What reading the model's config could not model (unread keys, an unknown family, a tower or a
  // quantization scheme not counted) stands beside the verdict: the figure above may miss it.
  const reading = (r.warnings || []).filter(isModelWarning);
  el.verdictWarnings.textContent = '';
  el.verdictWarnings.hidden = !reading.length;
  for (const w of reading) el.verdictWarnings.append(textEl(app, 'li', w));
  document.title = `${v.text} — vramplan`;
  const mini = $('mini-verdict');
  mini.textContent = `${app.gb(busiest.total)} · ${v.text}`;
  mini.className = `mini ${fits === true ? 'ok' : fits === false ? 'bad' : ''}`;
}

/** Identical GPUs (same numbers) share one bar: "GPUs 0–7". */
function groupGPUs(perGpu) {
  const groups = [];
  for (const g of perGpu) {
    const prev = groups[groups.length - 1];
    const same = prev && ['weights', 'kv_cache', 'activations', 'overhead', 'capacity'].every((k) => prev.g[k] === g[k]);
    if (same) prev.last = g.index;
    else groups.push({ g, first: g.index, last: g.index });
  }
  return groups;
}

function barRow(app, g, first, last, scale) {
  const { t, gb } = app;
  const label = first === last ? t('gpu_n', { i: first }) : t('gpus_n', { a: first, b: last });
  const track = h('div', { class: 'track' });
  for (const p of PARTS) {
    const w = (g[p.key] / scale) * 100;
    if (w > 0) track.append(h('span', { class: `seg-${p.key}`, style: `width:${w}%`, title: `${t(p.label)}: ${gb(g[p.key])}` }));
  }
  if (g.capacity > 0 && g.capacity > g.total) track.append(h('span', { class: 'seg-free', style: `width:${((g.capacity - g.total) / scale) * 100}%`, title: `${t('free_part')}: ${gb(g.capacity - g.total)}` }));
  if (g.capacity > 0) track.append(h('span', { class: 'cap-mark', style: `left:${(g.capacity / scale) * 100}%`, title: `${t('capacity')}: ${gb(g.capacity)}` }));
  const summary = PARTS.map((p) => `${t(p.label)} ${gb(g[p.key])}`).join(', ');
  const over = g.capacity > 0 && g.total > g.capacity;
  const right = g.capacity > 0 ? `${gb(g.total)} / ${gb(g.capacity)}` : gb(g.total);
  return h('div', { class: `bar-row${over ? ' over' : ''}`, role: 'img', 'aria-label': `${label}: ${right}. ${summary}` },
    h('span', { class: 'bar-label', text: label }), track, h('span', { class: 'bar-value', text: right }));
}

const swatch = (cls) => h('span', { class: `sw ${cls}`, 'aria-hidden': 'true' });

/** The stacked bar per GPU (identical GPUs grouped) and its legend; the Planner draws a plan's with it too. */
export function renderBars(app, r, bars = app.el.bars, legend = app.el.barLegend) {
  bars.textContent = '';
  const scale = Math.max(...r.per_gpu.map((g) => Math.max(g.total, g.capacity)));
  for (const { g, first, last } of groupGPUs(r.per_gpu).slice(0, 16)) bars.append(barRow(app, g, first, last, scale));
  legend.textContent = '';
  for (const p of [...PARTS, { key: 'free', label: 'free_part' }]) legend.append(h('li', {}, swatch(`seg-${p.key}`), app.t(p.label)));
  if (bars !== app.el.bars) return;
  const chartLegend = $('chart-legend');
  chartLegend.textContent = '';
  for (const p of PARTS) chartLegend.append(h('li', {}, swatch(`seg-${p.key}`), app.t(p.label)));
  chartLegend.append(h('li', {}, swatch('cap-sw'), app.t('capacity')));
}

const BD_COLORS = { weights: 'weights', kv_cache: 'kv_cache', activations: 'activations' };

/** One breakdown line and its hidden formula row; the button opens the formula. */
function breakdownRows(app, { id, name, explain, bytes, share, cls, color }) {
  const rowId = `bd-explain-${id}`;
  const btn = h('button', { type: 'button', class: 'expander', 'aria-expanded': 'false', 'aria-controls': rowId, title: app.t('show_math', { item: name.text }), lang: htmlLang(name.lang) },
    swatch(`seg-${color}`), name.text);
  const row = h('tr', { class: cls }, h('th', { scope: 'row' }, btn), h('td', { class: 'num', text: app.gb(bytes) }), h('td', { class: 'num', text: share }));
  const formula = h('tr', { class: 'explain', id: rowId, hidden: true }, h('td', { colspan: '3' }, textEl(app, 'code', explain)));
  btn.addEventListener('click', () => {
    const open = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', String(open));
    formula.hidden = !open;
  });
  return [row, formula];
}

/** The breakdown of the busiest GPU (the core's items, its labels and formulas), and system RAM when used. */
export function renderBreakdown(app, r) {
  const body = app.el.breakdown;
  body.textContent = '';
  const total = r.breakdown.find((b) => b.id === 'total');
  r.breakdown.forEach((b, i) => {
    const isTotal = b.id === 'total';
    const color = BD_COLORS[b.id] || (b.id.startsWith('overhead') ? 'overhead' : 'none');
    const share = total && !isTotal ? formatPercent(b.bytes / total.bytes, app.lang) : '';
    body.append(...breakdownRows(app, { id: i, name: app.say(b.label), explain: b.explain, bytes: b.bytes, share, cls: isTotal ? 'total' : '', color }));
  });
  if (r.host && r.host.bytes > 0) {
    const name = { text: app.t('host_ram'), lang: app.lang }; // not on a GPU: below the total, the page's own words
    body.append(...breakdownRows(app, { id: 'host', name, explain: r.host.explain, bytes: r.host.bytes, share: '', cls: 'host', color: 'none' }));
  }
}

export function renderCharts(app, request) {
  const { state, lang } = app;
  const ctxMax = Math.max(131072, 2 ** Math.ceil(Math.log2(Math.max(2, state.context * 2))));
  const concMax = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(2, state.concurrency * 2))));
  const jobs = [
    ['context', 'context_tokens', core.axisValues(256, Math.min(ctxMax, 2 ** 24), [state.context]), state.context],
    ['concurrency', 'concurrency', core.axisValues(1, Math.min(concMax, 2 ** 16), [state.concurrency]), state.concurrency],
  ];
  for (const [name, axis, values, current] of jobs) {
    let points;
    try {
      points = core.sweep(request, axis, values).points;
    } catch {
      continue;
    }
    const box = $(`chart-${name}`);
    if (!app.charts[name]) app.charts[name] = new MemoryChart(box, $(`readout-${name}`), { axis });
    app.charts[name].update(points, current, { t: app.t, lang, unit: state.unit });
    const at = points.find((p) => p.value === current) || points[0];
    box.setAttribute('aria-label', `${app.t(name === 'context' ? 'chart_context' : 'chart_concurrency')}: ${formatTokens(at.value, lang)} → ${app.gb(at.per_gpu_total)}`);
  }
}

function ruleRow(app, name, formula, bytes, ratioCell, cls = '', title = null) {
  return h('tr', { class: cls }, h('th', { scope: 'row' }, h('span', { text: name }), textEl(app, 'small', formula, { class: 'muted block', title })),
    h('td', { class: 'num', text: app.gb(bytes) }), ratioCell);
}

/** The popular rules of thumb (names by rule id, formulas from the core) beside the detailed figure. */
export function renderRules(app, r) {
  const body = app.el.rules;
  body.textContent = '';
  // The figure the core compares its rules with (ratio_to_detailed), so the column adds up.
  const ref = r.rules_of_thumb.find((x) => x.ratio_to_detailed > 0);
  const detailed = ref ? ref.bytes / ref.ratio_to_detailed : Math.max(...r.per_gpu.map((g) => g.total));
  for (const x of r.rules_of_thumb) {
    const dev = x.ratio_to_detailed - 1;
    const cell = h('td', { class: `num ${Math.abs(dev) > 0.1 ? 'warn' : ''}` }, h('span', { class: 'ratio', text: `${dev >= 0 ? '+' : '−'}${formatPercent(Math.abs(dev), app.lang, 0)}` }));
    const name = app.t(`rule.${x.id}`); // the page names the rules it knows by id; a new one shows its id
    body.append(ruleRow(app, name === `rule.${x.id}` ? x.id : name, x.formula, x.bytes, cell, '', x.source));
  }
  body.append(h('tr', { class: 'total' }, h('th', { scope: 'row', text: app.t('detailed') }), h('td', { class: 'num', text: app.gb(detailed) }), h('td', { class: 'num', text: '' })));
  const kv = r.kv_cache;
  const ratio = kv.bytes ? `×${formatNumber(kv.naive_no_gqa_bytes / kv.bytes, app.lang, 1)}` : '';
  body.append(
    ruleRow(app, app.t('real_kv'), kv.explain, kv.bytes, h('td', { class: 'num', text: '' }), 'sep'),
    ruleRow(app, app.t('naive_kv'), kv.naive_explain, kv.naive_no_gqa_bytes, h('td', { class: 'num warn', text: ratio })),
  );
}

/** A value of the engine's own report: bytes in the page's unit, counts with separators, the rest as text. */
function reportValue(app, key, v) {
  // Byte figures below 10 MB (page sizes, per-token cells) stay in bytes; fractions (concurrency) keep 2 digits.
  if (typeof v === 'number' && /bytes/.test(key)) return v < 1e7 ? `${formatInt(v, app.lang)} B` : app.gb(v);
  if (typeof v === 'number') return Number.isInteger(v) ? formatInt(v, app.lang) : formatNumber(v, app.lang, 2);
  if (typeof v === 'boolean') return String(v);
  return h('span', { lang: 'en', text: String(v) });
}

export function renderFacts(app, r) {
  const { lang } = app;
  const m = r.model;
  const rows = [[app.t('model'), m.name || m.id || 'config.json'], [app.t('params'), `${formatParams(r.params.total, lang)} (${formatInt(r.params.total, lang)})`]];
  if (r.params.active && r.params.active !== r.params.total) rows.push([app.t('active_params'), formatParams(r.params.active, lang)]);
  rows.push([app.t('layers'), formatInt(m.layers, lang)], [app.t('heads'), `${m.attention_heads} / ${m.kv_heads}`], [app.t('kv_per_token'), formatBytes(r.kv_cache.bytes_per_token, app.state.unit, lang)]);
  if (r.host && r.host.bytes > 0) rows.push([app.t('host_ram'), app.gb(r.host.bytes)]);
  dl(app.el.facts, rows);
  const box = app.el.engineReport;
  box.textContent = '';
  const rep = r.engine_report || {};
  // Scalars as figures, its notes (coded texts) below them, the log lines it would print as a block;
  // nested tables stay in the JSON export.
  const entries = Object.entries(rep).filter(([k]) => k !== 'engine');
  const isNote = ([, v]) => (v && typeof v === 'object' && typeof v.code === 'string') || (typeof v === 'string' && v.length > 40);
  const scalars = entries.filter(([, v]) => typeof v !== 'object' || v === null).filter((x) => !isNote(x));
  if (scalars.length) {
    box.append(h('h3', { text: app.t('engine_report') }));
    const d = h('dl', { class: 'facts' });
    dl(d, scalars.map(([k, v]) => [k, reportValue(app, k, v)]));
    box.append(d);
  }
  for (const [k, v] of entries.filter(isNote)) box.append(h('p', { class: 'hint' }, h('code', { text: k }), app.t('colon'), textEl(app, 'span', v)));
  if (Array.isArray(rep.log_lines) && rep.log_lines.length) {
    box.append(h('details', { class: 'log' }, h('summary', { text: app.t('engine_log') }), h('pre', { class: 'cmd' }, h('code', { lang: 'en', text: rep.log_lines.join('\n') }))));
  }
}

/** The core's warnings as a list (the Planner's card too). */
export function renderWarnings(app, list, target = app.el.warnings, card = app.el.warningsCard) {
  target.textContent = '';
  card.hidden = !list.length;
  for (const w of list) target.append(textEl(app, 'li', w));
}

/** The core's assumptions: name, value and why (its coded reason). */
export function renderAssumptions(app, list, target = app.el.assumptions) {
  target.textContent = '';
  for (const a of list) {
    const value = typeof a.value === 'number' ? formatNumber(a.value, app.lang) : String(a.value);
    target.append(h('dt', {}, h('code', { text: a.name })), h('dd', {}, h('strong', { lang: 'en', text: value }), ' — ', textEl(app, 'span', a.why)));
  }
}

// ---------- the slow answers (the core's fit), once the inputs settle ----------

function showLimit(app, dd, res, unitKey) {
  dd.dataset.value = res ? String(res.value) : '';
  if (!res) dd.textContent = '—';
  else if (res.value === 0) dd.textContent = app.t('none_fit');
  else {
    const v = `${formatInt(res.value, app.lang)} ${app.t(unitKey)}`;
    dd.textContent = res.limit ? `${v} (${app.t('model_limit')})` : v;
  }
}

function fitNow(request) {
  try {
    return core.fit(request);
  } catch {
    return null; // a module built without fit, or a request fit refuses: "—"
  }
}

function showFit(app, f) {
  const { el } = app;
  const dds = el.inverse.querySelectorAll('dd');
  showLimit(app, dds[0], f && { value: f.max_context_tokens, limit: f.max_context_limit && f.max_context_tokens >= f.max_context_limit }, 'tokens');
  showLimit(app, dds[1], f && { value: f.max_concurrency }, 'sequences');
  el.inverse.removeAttribute('aria-busy');
  const byId = new Map(app.catalog.gpus.map((g) => [g.id, g]));
  const list = f ? f.min_gpus.filter((g) => g.count > 0).map((g) => ({ gpu: g.gpu, name: g.name || (byId.get(g.gpu) || {}).name || g.gpu, count: g.count, total: g.per_gpu_total, capacity: g.capacity, tp: g.tensor_parallel, pp: g.pipeline_parallel })) : [];
  list.sort((a, b) => a.count - b.count || a.capacity - b.capacity || a.name.localeCompare(b.name));
  if (f) renderFitList(app, list);
  else el.fitlist.removeAttribute('aria-busy');
  renderSuggestions(app, f ? f.suggestions : []);
}

/** The limits, the GPUs that fit and what to change: one `fit` call, a few tens of ms, after the inputs settle. */
export function startSlowWork(app, request, gen) {
  const { el, lang, state } = app;
  el.inverse.setAttribute('aria-busy', 'true');
  el.fitlist.setAttribute('aria-busy', 'true');
  const pending = app.t('computing');
  dl(el.inverse, [[app.t('max_context', { conc: formatInt(state.concurrency, lang) }), pending], [app.t('max_concurrency', { ctx: formatTokens(state.context, lang) }), pending]]);
  clearTimeout(app.timers.fit);
  app.timers.fit = setTimeout(() => idle(() => {
    if (gen !== app.generation) return;
    const f = fitNow(request);
    if (gen === app.generation) showFit(app, f);
  }), 250);
}

// A suggestion's field -> the state key (and input) it changes.
const CHANGE_INPUT = { weights: 'weights', kv_cache_dtype: 'kv', context_tokens: 'context', concurrency: 'concurrency', count: 'count' };

function renderSuggestions(app, list) {
  const box = $('suggestions');
  box.textContent = '';
  box.parentElement.hidden = !list.length;
  for (const sgt of list) {
    const key = CHANGE_INPUT[sgt.field];
    const value = /^\d+$/.test(String(sgt.value)) ? Number(sgt.value) : sgt.value;
    const label = key ? `${app.t(key)}: ${typeof value === 'number' ? formatInt(value, app.lang) : value}` : sgt.change;
    const patch = key ? { [key]: value } : null;
    if (patch && key === 'count') Object.assign(patch, { tp: 0, pp: 1 });
    const why = app.say(sgt.text);
    const btn = h('button', { type: 'button', class: `fit-btn${sgt.fits ? '' : ' nofit'}`, disabled: !patch, title: why.text },
      h('span', { class: 'fit-n', text: sgt.fits ? '✓' : '✗' }),
      h('span', { class: 'fit-name', text: label }),
      h('span', { class: 'fit-mem', text: `${app.gb(sgt.per_gpu_total)} / ${app.gb(sgt.capacity)}` }));
    if (patch) btn.addEventListener('click', () => app.update(patch));
    box.append(h('li', {}, btn));
  }
}

function renderFitList(app, list) {
  const { el, state } = app;
  el.fitlist.removeAttribute('aria-busy');
  el.fitlist.textContent = '';
  if (!list.length) {
    el.fitlist.append(h('li', { class: 'muted', text: app.t('fit_none') }));
    return;
  }
  for (const f of list) {
    const current = f.gpu === state.gpu && f.count === state.count;
    const btn = h('button', { type: 'button', class: `fit-btn${current ? ' current' : ''}`, 'aria-label': app.t('fit_use', { n: f.count, gpu: f.name }), 'aria-current': current ? 'true' : null },
      h('span', { class: 'fit-n', text: app.t('fit_count', { n: f.count }) }),
      h('span', { class: 'fit-name', text: f.name }),
      h('span', { class: 'fit-mem', text: `${app.gb(f.total)} / ${app.gb(f.capacity)}` }));
    btn.addEventListener('click', () => app.update({ gpu: f.gpu, count: f.count, tp: f.tp || 0, pp: f.pp || 1 }));
    el.fitlist.append(h('li', {}, btn));
  }
}

/** Warnings about reading the model itself (its config.json, its checkpoint's quantization). */
export const isModelWarning = (w) => /^(import|quant)\./.test(w.code || '');

/** Everything below the verdict, for a full (not embedded) page. */
export function renderDetails(app, request, r) {
  renderBreakdown(app, r);
  renderCharts(app, request);
  renderRules(app, r);
  renderFacts(app, r);
  renderWarnings(app, r.warnings.filter((w) => !isModelWarning(w)));
  renderAssumptions(app, r.assumptions);
  startSlowWork(app, request, app.generation);
}
