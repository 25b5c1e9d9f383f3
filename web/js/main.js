// Wires the page: element references, one state object (mirrored in the URL), input events, and a
// render that runs once per animation frame. The slow questions (limits, GPUs that fit) run
// afterwards in small idle slices and are dropped when the inputs change again.
import * as core from './core.js';
import { ENGINE_OPTIONS, fromQuery, toQuery, toRequest, effectiveTP, inputForField } from './state.js';
import { t as tr, applyTranslations, detectLang, verdict, ASSUMPTIONS_ZH } from './i18n.js';
import { formatGB, formatBytes, formatInt, formatNumber, formatPercent, formatParams, formatTokens, parseCount } from './format.js';
import { MemoryChart, svgToPNG } from './charts.js';
import { PARTS } from './chartdata.js';
import { Picker } from './picker.js';
import { markdownTable, embedSnippet } from './exporting.js';

performance.mark('vramplan:module');
const $ = (id) => document.getElementById(id);
const el = {
  model: $('model'), modelList: $('model-list'), cfg: $('cfg'), tabCatalog: $('tab-catalog'), tabConfig: $('tab-config'),
  paneCatalog: $('pane-catalog'), paneConfig: $('pane-config'), weights: $('weights'), kv: $('kv'), engine: $('engine'),
  engineName: $('engine-name'), opts: $('opts'), context: $('context'), concurrency: $('concurrency'), gpu: $('gpu'),
  gpuList: $('gpu-list'), mem: $('mem'), memField: $('mem-field'), count: $('count'), tp: $('tp'), pp: $('pp'),
  verdict: $('verdict'), verdictSub: $('verdict-sub'), verdictDetail: $('verdict-detail'), verdictCard: $('verdict-card'),
  total: $('per-gpu-total'), cap: $('per-gpu-cap'), bars: $('bars'), barLegend: $('bar-legend'),
  breakdown: document.querySelector('#breakdown tbody'), rules: document.querySelector('#rules tbody'),
  inverse: $('inverse'), facts: $('facts'), fitlist: $('fitlist'), warnings: $('warnings'), warningsCard: $('warnings-card'),
  assumptions: $('assumptions'), engineReport: $('engine-report'), toast: $('toast'), embedCode: $('embed-code'),
  embedW: $('embed-w'), embedH: $('embed-h'), theme: $('theme'), openFull: $('open-full'),
  viewCalc: $('view-calc'), viewPlan: $('view-plan'),
};

const ENGINES = ['generic', 'vllm', 'sglang', 'llama.cpp', 'transformers', 'tensorrt-llm'];
const KV_DTYPES = ['auto', 'fp16', 'bf16', 'fp32', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'int8', 'q8_0', 'q5_1', 'q5_0', 'q4_1', 'q4_0', 'iq4_nl'];
const CONFIG_TEMPLATE = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, intermediate_size: 14336,
  num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256,
  max_position_embeddings: 8192, tie_word_embeddings: false, torch_dtype: 'bfloat16',
};

let state = fromQuery(location.search);
let lang = state.lang || detectLang(navigator.languages || [navigator.language]);
let cat = { models: [], gpus: [], formats: [] };
let engineOK = { generic: true };
let last = null; // {request, result}
let generation = 0;
let frame = 0;
let firstVerdict = false;
const t = (key, params) => tr(lang, key, params);
let tBound = t;
const charts = {};
let planView = null; // the Planner view (planview.js), made when the Planner is first shown (loadPlanView)
let planViewLoading = null;
let modelName = '';

// ---------- rendering helpers ----------
const gb = (b) => formatGB(b, state.unit, lang);
function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
}
function dl(target, rows) {
  target.textContent = '';
  for (const [k, v, attrs] of rows) target.append(h('dt', { text: k }), h('dd', { text: v, ...(attrs || {}) }));
}

function setError(input, msg) {
  const p = $(`err-${input}`);
  if (!p) return;
  p.textContent = msg || '';
  const field = $(input) || (input === 'cfg' ? el.cfg : null);
  if (field) field.setAttribute('aria-invalid', msg ? 'true' : 'false');
}
function clearErrors() {
  for (const p of document.querySelectorAll('.err')) p.textContent = '';
  for (const f of document.querySelectorAll('[aria-invalid=true]')) f.setAttribute('aria-invalid', 'false');
}
function coreErrorText(err) {
  const code = err.code || 'internal';
  const head = t(`err.${code}`);
  return lang === 'en' ? err.message : `${head} ${t('err_core_detail', { msg: err.message })}`;
}

// ---------- state -> inputs ----------
function syncInputs() {
  modelPicker.setValue(state.model);
  gpuPicker.setValue(state.gpu);
  const configMode = !!state.cfg || document.activeElement === el.cfg;
  selectTab(configMode || !el.paneConfig.hidden && el.cfg.value.trim() !== '' ? 'config' : 'catalog', false);
  if (state.cfg && document.activeElement !== el.cfg && !el.cfg.value.trim()) el.cfg.value = JSON.stringify(JSON.parse(state.cfg), null, 2);
  el.weights.value = state.weights;
  el.kv.value = state.kv;
  el.engine.value = state.engine;
  el.engineName.textContent = state.engine;
  if (document.activeElement !== el.context) el.context.value = formatInt(state.context, 'en').replace(/,/g, '');
  if (document.activeElement !== el.concurrency) el.concurrency.value = String(state.concurrency);
  el.memField.hidden = state.gpu !== 'custom';
  if (document.activeElement !== el.mem) el.mem.value = state.mem ? String(state.mem) : '';
  if (document.activeElement !== el.count) el.count.value = String(state.count);
  if (document.activeElement !== el.tp) el.tp.value = state.tp ? String(state.tp) : '';
  el.tp.placeholder = `${t('tp_auto')} (${effectiveTP(state)})`;
  if (document.activeElement !== el.pp) el.pp.value = String(state.pp);
  for (const b of document.querySelectorAll('.chips button')) {
    const key = b.parentElement.dataset.for;
    b.setAttribute('aria-pressed', String(state[key] === Number(b.dataset.v)));
  }
  for (const inp of el.opts.querySelectorAll('input')) {
    if (document.activeElement !== inp) inp.value = state.opts[inp.name] ?? '';
  }
  $('lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  $('lang-zh').setAttribute('aria-pressed', String(lang === 'zh'));
  $('unit-GB').setAttribute('aria-pressed', String(state.unit === 'GB'));
  $('unit-GiB').setAttribute('aria-pressed', String(state.unit === 'GiB'));
  el.theme.value = state.theme;
  const plan = state.view === 'plan';
  document.body.classList.toggle('view-plan', plan);
  el.viewCalc.setAttribute('aria-selected', String(!plan));
  el.viewPlan.setAttribute('aria-selected', String(plan));
  el.viewCalc.tabIndex = plan ? -1 : 0;
  el.viewPlan.tabIndex = plan ? 0 : -1;
  const heading = $('inputs-h');
  heading.dataset.i18n = plan ? 'plan_inputs' : 'inputs';
  heading.textContent = t(heading.dataset.i18n);
  if (planView) planView.syncInputs();
}

function applyTheme() {
  const dark = state.theme ? state.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.documentElement.dataset.themeResolved = dark ? 'dark' : 'light';
}

// ---------- the main render ----------
function schedule() {
  if (!frame) frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

let urlTimer = 0;
function writeURL() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const q = toQuery({ ...state, lang: state.lang });
    if (q !== location.search) history.replaceState(null, '', q + location.hash);
    updateEmbed();
  }, 150);
}

function render() {
  const t0 = performance.now();
  try {
    renderNow();
  } finally {
    performance.measure('vramplan:render', { start: t0, end: performance.now() });
  }
}

function renderNow() {
  generation += 1;
  clearErrors();
  if (state.view === 'plan') {
    renderPlanView();
    return;
  }
  let request;
  try {
    request = toRequest(state);
  } catch (e) {
    setError('cfg', t('config_bad_json', { msg: e.message }));
    markStale();
    writeURL();
    return;
  }
  let result;
  try {
    result = core.estimate(request);
  } catch (e) {
    if (!(e instanceof core.VramplanError)) throw e;
    const input = inputForField(e.field);
    setError(input === 'model' && state.cfg ? 'cfg' : input, coreErrorText(e));
    markStale();
    writeURL();
    return;
  }
  // Aliases in a link ("h100", "llama-3-70b") become the catalog ids, so the pickers show names.
  if (!state.cfg && result.model && result.model.id && result.model.id !== state.model) state.model = result.model.id;
  if (state.gpu !== 'custom' && result.request.gpu && result.request.gpu !== 'none' && result.request.gpu !== state.gpu) state.gpu = result.request.gpu;
  if (document.activeElement !== el.model) modelPicker.setValue(state.model);
  if (document.activeElement !== el.gpu) gpuPicker.setValue(state.gpu);
  const ownBefore = last && last.result.weights.format;
  last = { request, result };
  el.verdictCard.classList.remove('stale');
  if (!state.weights && result.weights.format !== ownBefore) {
    const o = el.weights.querySelector('option[value=""]');
    if (o) o.textContent = t('weights_default', { fmt: result.weights.format });
  }
  renderVerdict(result);
  renderBars(result);
  if (!firstVerdict) {
    firstVerdict = true;
    performance.mark('vramplan:first-verdict');
  }
  if (!state.embed) {
    renderBreakdown(result);
    renderCharts(request);
    renderRules(result);
    renderFacts(result);
    renderWarnings(result);
    renderAssumptions(result);
    startSlowWork(request, generation);
  }
  writeURL();
}

/** The Planner view: resolve the model (a quick estimate: aliases become ids, errors show at the
 * picker, and its own format is offered), then ask the planner once the inputs settle. */
function renderPlanView() {
  if (!planView) {
    loadPlanView();
    return;
  }
  let info;
  try {
    const model = state.cfg ? { config: JSON.parse(state.cfg) } : state.model;
    info = core.estimate({ model, workload: { context_tokens: 1, concurrency: 1 } });
  } catch (e) {
    if (e instanceof SyntaxError) setError('cfg', t('config_bad_json', { msg: e.message }));
    else if (e instanceof core.VramplanError) setError(state.cfg ? 'cfg' : 'model', coreErrorText(e));
    else throw e;
    $('plan-card').classList.add('stale');
    writeURL();
    return;
  }
  if (!state.cfg && info.model && info.model.id && info.model.id !== state.model) state.model = info.model.id;
  if (document.activeElement !== el.model) modelPicker.setValue(state.model);
  modelName = info.model.name || info.model.id || 'config.json';
  planView.setNative(info.weights.format);
  if (!core.capabilities().plan) {
    $('plan-verdict').textContent = t('plan_unsupported');
    $('plan-verdict').className = 'verdict bad';
  } else planView.request();
  writeURL();
}

/** planview.js (and what only it uses) is a chunk of its own, fetched the first time the Planner is shown:
 * a visit to the calculator never downloads it. The single-file build has it inlined. */
function loadPlanView() {
  if (!planViewLoading) {
    planViewLoading = import('./planview.js').then(({ createPlanView }) => {
      planView = createPlanView({
        core, h, dl, t: (k, p) => t(k, p), lang: () => lang, state: () => state, gb, update, copy, setError, renderBars, charts,
        gpuName: (id) => (cat.gpus.find((g) => g.id === id) || { name: id }).name,
      });
      if (cat.gpus.length) planView.setCatalog(cat);
      syncInputs();
      schedule();
    }, (e) => {
      planViewLoading = null; // offline before the chunk was cached: try again on the next render
      $('plan-verdict').textContent = `${t('err.internal')} ${e && e.message ? e.message : e}`;
      $('plan-verdict').className = 'verdict bad';
    });
  }
  return planViewLoading;
}

function setView(view, focus = false) {
  state.view = view;
  syncInputs();
  if (focus) (view === 'plan' ? el.viewPlan : el.viewCalc).focus();
  schedule();
}

function markStale() {
  el.verdictCard.classList.add('stale');
}

function renderVerdict(r) {
  const v = verdict(r, lang, state.unit);
  el.verdict.textContent = v.text;
  el.verdict.className = `verdict ${v.fits === true ? 'ok' : v.fits === false ? 'bad' : ''}`;
  el.verdictSub.textContent = v.sub || '';
  const busiest = r.per_gpu.reduce((a, b) => (b.total > a.total ? b : a));
  el.total.textContent = gb(busiest.total);
  el.total.dataset.bytes = String(busiest.total);
  el.total.setAttribute('aria-label', `${t('per_gpu_total')}: ${gb(busiest.total)}`);
  el.cap.textContent = busiest.capacity ? t('of_capacity', { cap: gb(busiest.capacity) }) : t('per_gpu_total');
  const rq = r.request;
  el.verdictDetail.textContent = t('verdict_detail', {
    model: r.model.name || r.model.id || 'config.json', weights: r.weights.label || rq.weights,
    ctx: formatTokens(rq.context_tokens, lang), conc: formatInt(rq.concurrency, lang), tp: rq.tensor_parallel, pp: rq.pipeline_parallel,
  });
  document.title = `${v.text} — vramplan`;
  const mini = $('mini-verdict');
  mini.textContent = `${gb(busiest.total)} · ${v.text}`;
  mini.className = `mini ${v.fits === true ? 'ok' : v.fits === false ? 'bad' : ''}`;
}

function groupGPUs(perGpu) {
  // Identical GPUs (same numbers) share one bar: "GPUs 0–7".
  const groups = [];
  for (const g of perGpu) {
    const prev = groups[groups.length - 1];
    const same = prev && ['weights', 'kv_cache', 'activations', 'overhead', 'capacity'].every((k) => prev.g[k] === g[k]);
    if (same) prev.last = g.index;
    else groups.push({ g, first: g.index, last: g.index });
  }
  return groups;
}

function renderBars(r, bars = el.bars, legend = el.barLegend) {
  bars.textContent = '';
  const groups = groupGPUs(r.per_gpu).slice(0, 16);
  const scale = Math.max(...r.per_gpu.map((g) => Math.max(g.total, g.capacity)));
  for (const { g, first, last: lastIdx } of groups) {
    const label = first === lastIdx ? t('gpu_n', { i: first }) : t('gpus_n', { a: first, b: lastIdx });
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
    bars.append(h('div', { class: `bar-row${over ? ' over' : ''}`, role: 'img', 'aria-label': `${label}: ${right}. ${summary}` },
      h('span', { class: 'bar-label', text: label }), track, h('span', { class: 'bar-value', text: right })));
  }
  legend.textContent = '';
  for (const p of [...PARTS, { key: 'free', label: 'free_part' }]) legend.append(h('li', {}, h('span', { class: `sw seg-${p.key}`, 'aria-hidden': 'true' }), t(p.label)));
  if (bars !== el.bars) return;
  const chartLegend = $('chart-legend');
  if (chartLegend) {
    chartLegend.textContent = '';
    for (const p of PARTS) chartLegend.append(h('li', {}, h('span', { class: `sw seg-${p.key}`, 'aria-hidden': 'true' }), t(p.label)));
    chartLegend.append(h('li', {}, h('span', { class: 'sw cap-sw', 'aria-hidden': 'true' }), t('capacity')));
  }
}

const BD_COLORS = { weights: 'weights', kv_cache: 'kv_cache', activations: 'activations' };
function renderBreakdown(r) {
  el.breakdown.textContent = '';
  const total = r.breakdown.find((b) => b.id === 'total');
  r.breakdown.forEach((b, i) => {
    const name = STRING_OR(`bd.${b.id}`, b.label);
    const id = `bd-explain-${i}`;
    const isTotal = b.id === 'total';
    const btn = h('button', { type: 'button', class: 'expander', 'aria-expanded': 'false', 'aria-controls': id, title: t('show_math', { item: name }) },
      h('span', { class: `sw seg-${BD_COLORS[b.id] || (b.id.startsWith('overhead') ? 'overhead' : 'none')}`, 'aria-hidden': 'true' }), name);
    const row = h('tr', { class: isTotal ? 'total' : '' },
      h('th', { scope: 'row' }, btn),
      h('td', { class: 'num', text: gb(b.bytes) }),
      h('td', { class: 'num', text: total && !isTotal ? formatPercent(b.bytes / total.bytes, lang) : '' }));
    const explain = h('tr', { class: 'explain', id, hidden: true }, h('td', { colspan: '3' }, h('code', { lang: 'en', text: b.explain })));
    btn.addEventListener('click', () => {
      const open = btn.getAttribute('aria-expanded') !== 'true';
      btn.setAttribute('aria-expanded', String(open));
      explain.hidden = !open;
    });
    el.breakdown.append(row, explain);
  });
}
function STRING_OR(key, fallback) {
  const s = t(key);
  return s === key ? fallback : s;
}

function renderCharts(request) {
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
    if (!charts[name]) charts[name] = new MemoryChart(box, $(`readout-${name}`), { axis });
    charts[name].update(points, current, { t: tBound, lang, unit: state.unit });
    const at = points.find((p) => p.value === current) || points[0];
    box.setAttribute('aria-label', `${t(name === 'context' ? 'chart_context' : 'chart_concurrency')}: ${formatTokens(at.value, lang)} → ${gb(at.per_gpu_total)}`);
  }
}

function renderRules(r) {
  el.rules.textContent = '';
  // The figure the core compares its rules with (ratio_to_detailed), so the column adds up.
  const ref = r.rules_of_thumb.find((x) => x.ratio_to_detailed > 0);
  const detailed = ref ? ref.bytes / ref.ratio_to_detailed : Math.max(...r.per_gpu.map((g) => g.total));
  const rows = r.rules_of_thumb.map((x) => [STRING_OR(`rule.${x.id}`, x.id), x.formula, x.bytes, x.ratio_to_detailed, x.source]);
  for (const [name, formula, bytes, ratio, source] of rows) {
    const dev = ratio - 1;
    el.rules.append(h('tr', {},
      h('th', { scope: 'row' }, h('span', { text: name }), h('small', { class: 'muted block', lang: 'en', text: formula, title: source })),
      h('td', { class: 'num', text: gb(bytes) }),
      h('td', { class: `num ${Math.abs(dev) > 0.1 ? 'warn' : ''}` }, h('span', { class: 'ratio', text: `${dev >= 0 ? '+' : '−'}${formatPercent(Math.abs(dev), lang, 0)}` }))));
  }
  el.rules.append(h('tr', { class: 'total' }, h('th', { scope: 'row', text: t('detailed') }), h('td', { class: 'num', text: gb(detailed) }), h('td', { class: 'num', text: '' })));
  const kv = r.kv_cache;
  el.rules.append(
    h('tr', { class: 'sep' }, h('th', { scope: 'row' }, h('span', { text: t('real_kv') }), h('small', { class: 'muted block', lang: 'en', text: kv.explain })), h('td', { class: 'num', text: gb(kv.bytes) }), h('td', { class: 'num', text: '' })),
    h('tr', {}, h('th', { scope: 'row' }, h('span', { text: t('naive_kv') }), h('small', { class: 'muted block', lang: 'en', text: kv.naive_explain })), h('td', { class: 'num', text: gb(kv.naive_no_gqa_bytes) }),
      h('td', { class: 'num warn', text: kv.bytes ? `×${formatNumber(kv.naive_no_gqa_bytes / kv.bytes, lang, 1)}` : '' })),
  );
}

function renderFacts(r) {
  const m = r.model;
  const rows = [
    [t('model'), m.name || m.id || 'config.json'],
    [t('params'), `${formatParams(r.params.total, lang)} (${formatInt(r.params.total, lang)})`],
  ];
  if (r.params.active && r.params.active !== r.params.total) rows.push([t('active_params'), formatParams(r.params.active, lang)]);
  rows.push([t('layers'), formatInt(m.layers, lang)], [t('heads'), `${m.attention_heads} / ${m.kv_heads}`], [t('kv_per_token'), formatBytes(r.kv_cache.bytes_per_token, state.unit, lang)]);
  dl(el.facts, rows);
  el.engineReport.textContent = '';
  const rep = { ...(r.engine_report || {}) };
  delete rep.engine;
  if (Object.keys(rep).length) {
    el.engineReport.append(h('h3', { text: t('engine_report') }));
    const d = h('dl', { class: 'facts' });
    dl(d, Object.entries(rep).map(([k, v]) => [k, typeof v === 'number' && /bytes/.test(k) ? gb(v) : typeof v === 'number' ? formatInt(v, lang) : String(v)]));
    el.engineReport.append(d);
  }
}

function renderWarnings(r) {
  el.warnings.textContent = '';
  el.warningsCard.hidden = !r.warnings.length;
  for (const w of r.warnings) el.warnings.append(h('li', { lang: 'en', text: w }));
}

function renderAssumptions(r) {
  el.assumptions.textContent = '';
  for (const a of r.assumptions) {
    const zh = lang === 'zh' && ASSUMPTIONS_ZH[a.name];
    el.assumptions.append(h('dt', {}, h('code', { text: a.name }), zh ? ` ${zh[0]}` : ''), h('dd', {}, h('strong', { text: a.value }), ' — ', h('span', { lang: zh ? 'zh-CN' : 'en', text: zh ? zh[1] : a.why })));
  }
}

// ---------- slow answers, in idle slices ----------
function idle(fn) {
  return typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 200 }) : setTimeout(fn, 1);
}
let fitTimer = 0;
function startSlowWork(request, gen) {
  el.inverse.setAttribute('aria-busy', 'true');
  el.fitlist.setAttribute('aria-busy', 'true');
  const pending = t('computing');
  dl(el.inverse, [[t('max_context', { conc: formatInt(state.concurrency, lang) }), pending], [t('max_concurrency', { ctx: formatTokens(state.context, lang) }), pending]]);
  const dds = el.inverse.querySelectorAll('dd');
  const show = (dd, res, unitKey) => {
    if (!res) dd.textContent = '—';
    else if (res.value === 0) dd.textContent = t('none_fit');
    else {
      const v = `${formatInt(res.value, lang)} ${t(unitKey)}`;
      dd.textContent = res.atLeast ? t('at_least', { v }) : res.limit ? `${v} (${t('model_limit')})` : v;
    }
    dd.dataset.value = res ? String(res.value) : '';
  };
  clearTimeout(fitTimer);
  // The core answers all the inverse questions in one call (its `fit`); it takes a few tens of
  // milliseconds, so it runs once the inputs have settled. (A module built without fit shows "—".)
  fitTimer = setTimeout(() => idle(() => {
    if (gen !== generation) return;
    let f = null;
    try {
      f = core.fit(request);
    } catch {
      f = null;
    }
    if (gen !== generation) return;
    show(dds[0], f && { value: f.max_context_tokens, limit: f.max_context_limit && f.max_context_tokens >= f.max_context_limit }, 'tokens');
    show(dds[1], f && { value: f.max_concurrency }, 'sequences');
    el.inverse.removeAttribute('aria-busy');
    const byId = new Map(cat.gpus.map((g) => [g.id, g]));
    const list = f ? f.min_gpus.filter((g) => g.count > 0).map((g) => ({ gpu: g.gpu, name: g.name || (byId.get(g.gpu) || {}).name || g.gpu, count: g.count, total: g.per_gpu_total, capacity: g.capacity, tp: g.tensor_parallel, pp: g.pipeline_parallel })) : [];
    list.sort((a, b) => a.count - b.count || a.capacity - b.capacity || a.name.localeCompare(b.name));
    if (f) renderFitList(list);
    else el.fitlist.removeAttribute('aria-busy');
    renderSuggestions(f ? f.suggestions : []);
  }), 250);
}

const CHANGE_INPUT = { weights: 'weights', kv_cache_dtype: 'kv', context_tokens: 'context', concurrency: 'concurrency', count: 'count' };
function renderSuggestions(list) {
  const box = $('suggestions');
  box.textContent = '';
  box.parentElement.hidden = !list.length;
  for (const sgt of list) {
    const [k, v] = String(sgt.change).split('=');
    const key = CHANGE_INPUT[k];
    const label = key ? `${t(key === 'kv' ? 'kv' : key === 'count' ? 'count' : key)}: ${/^\d+$/.test(v) ? formatInt(Number(v), lang) : v}` : sgt.change;
    const patch = key ? { [key]: /^\d+$/.test(v) ? Number(v) : v } : null;
    if (patch && key === 'count') Object.assign(patch, { tp: 0, pp: 1 });
    const btn = h('button', { type: 'button', class: `fit-btn${sgt.fits ? '' : ' nofit'}`, disabled: !patch, title: sgt.text, lang: null },
      h('span', { class: 'fit-n', text: sgt.fits ? '✓' : '✗' }),
      h('span', { class: 'fit-name', text: label }),
      h('span', { class: 'fit-mem', text: `${gb(sgt.per_gpu_total)} / ${gb(sgt.capacity)}` }));
    if (patch) btn.addEventListener('click', () => update(patch));
    box.append(h('li', {}, btn));
  }
}

function renderFitList(list) {
  el.fitlist.removeAttribute('aria-busy');
  el.fitlist.textContent = '';
  if (!list.length) {
    el.fitlist.append(h('li', { class: 'muted', text: t('fit_none') }));
    return;
  }
  for (const f of list) {
    const current = f.gpu === state.gpu && f.count === state.count;
    const btn = h('button', { type: 'button', class: `fit-btn${current ? ' current' : ''}`, 'aria-label': t('fit_use', { n: f.count, gpu: f.name }), 'aria-current': current ? 'true' : null },
      h('span', { class: 'fit-n', text: t('fit_count', { n: f.count }) }),
      h('span', { class: 'fit-name', text: f.name }),
      h('span', { class: 'fit-mem', text: `${gb(f.total)} / ${gb(f.capacity)}` }));
    btn.addEventListener('click', () => update({ gpu: f.gpu, count: f.count, tp: f.tp || 0, pp: f.pp || 1 }));
    el.fitlist.append(h('li', {}, btn));
  }
}

// ---------- inputs -> state ----------
function update(patch) {
  Object.assign(state, patch);
  syncInputs();
  schedule();
}

function intInput(input, key, { min = 1, allowEmpty = false } = {}) {
  input.addEventListener('input', () => {
    const raw = input.value.trim();
    if (allowEmpty && raw === '') return update({ [key]: 0 });
    const v = parseCount(raw);
    if (!Number.isInteger(v) || v < min) {
      setError(key, t('err_positive'));
      markStale();
      return;
    }
    setError(key, '');
    update({ [key]: v });
  });
  input.addEventListener('blur', () => syncInputs());
}

function selectTab(which, focus = true) {
  const cfg = which === 'config';
  el.tabCatalog.setAttribute('aria-selected', String(!cfg));
  el.tabConfig.setAttribute('aria-selected', String(cfg));
  el.tabCatalog.tabIndex = cfg ? -1 : 0;
  el.tabConfig.tabIndex = cfg ? 0 : -1;
  el.paneCatalog.hidden = cfg;
  el.paneConfig.hidden = !cfg;
  if (focus) (cfg ? el.tabConfig : el.tabCatalog).focus();
}

function onConfigText() {
  const text = el.cfg.value.trim();
  if (!text) {
    setError('cfg', '');
    return update({ cfg: '' });
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    setError('cfg', t('config_bad_json', { msg: e.message }));
    markStale();
    return;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    setError('cfg', t('config_not_object'));
    markStale();
    return;
  }
  update({ cfg: JSON.stringify(obj) });
}

let modelPicker;
let gpuPicker;
function wire() {
  modelPicker = new Picker(el.model, el.modelList, { onPick: (id) => update({ model: id, cfg: '' }), noneText: () => t('search_none') });
  gpuPicker = new Picker(el.gpu, el.gpuList, { onPick: (id) => update({ gpu: id, mem: id === 'custom' && !state.mem ? 80 : state.mem }), noneText: () => t('search_none') });
  el.weights.addEventListener('change', () => update({ weights: el.weights.value }));
  el.kv.addEventListener('change', () => update({ kv: el.kv.value }));
  el.engine.addEventListener('change', () => update({ engine: el.engine.value }));
  intInput(el.context, 'context');
  intInput(el.concurrency, 'concurrency');
  intInput(el.count, 'count');
  intInput(el.tp, 'tp', { allowEmpty: true });
  intInput(el.pp, 'pp');
  el.mem.addEventListener('input', () => {
    const v = Number(el.mem.value.replace(',', '.'));
    if (!(v > 0)) {
      setError('mem', t('err_positive'));
      markStale();
      return;
    }
    update({ mem: v });
  });
  for (const b of document.querySelectorAll('.chips button')) b.addEventListener('click', () => update({ [b.parentElement.dataset.for]: Number(b.dataset.v) }));
  el.tabCatalog.addEventListener('click', () => {
    selectTab('catalog');
  });
  el.tabConfig.addEventListener('click', () => selectTab('config'));
  el.viewCalc.addEventListener('click', () => setView(''));
  el.viewPlan.addEventListener('click', () => setView('plan'));
  for (const tab of [el.viewCalc, el.viewPlan]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        setView(tab === el.viewCalc ? 'plan' : '', true);
      }
    });
  }
  for (const tab of [el.tabCatalog, el.tabConfig]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') selectTab(tab === el.tabCatalog ? 'config' : 'catalog');
    });
  }
  el.cfg.addEventListener('input', onConfigText);
  el.cfg.addEventListener('dragover', (e) => {
    e.preventDefault();
    el.cfg.classList.add('drop');
  });
  el.cfg.addEventListener('dragleave', () => el.cfg.classList.remove('drop'));
  el.cfg.addEventListener('drop', async (e) => {
    e.preventDefault();
    el.cfg.classList.remove('drop');
    const file = e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) {
      el.cfg.value = await file.text();
      onConfigText();
    }
  });
  $('cfg-template').addEventListener('click', () => {
    el.cfg.value = JSON.stringify(CONFIG_TEMPLATE, null, 2);
    onConfigText();
  });
  $('cfg-clear').addEventListener('click', () => {
    el.cfg.value = '';
    update({ cfg: '' });
    selectTab('catalog');
  });
  $('lang-en').addEventListener('click', () => setLang('en'));
  $('lang-zh').addEventListener('click', () => setLang('zh'));
  $('unit-GB').addEventListener('click', () => update({ unit: 'GB' }));
  $('unit-GiB').addEventListener('click', () => update({ unit: 'GiB' }));
  el.theme.addEventListener('change', () => {
    state.theme = el.theme.value;
    applyTheme();
    schedule();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    applyTheme();
    schedule();
  });
  $('copy-link').addEventListener('click', () => copy(location.href.split('?')[0] + toQuery(state)));
  $('copy-md').addEventListener('click', () => last && copy(markdownTable(last.result, { lang, unit: state.unit, t })));
  $('copy-json').addEventListener('click', () => {
    const p = state.view === 'plan' ? planView && planView.current() : last;
    if (p) copy(JSON.stringify({ request: p.request, result: p.result }, null, 2));
  });
  el.embedW.addEventListener('input', updateEmbed);
  el.embedH.addEventListener('input', updateEmbed);
  el.embedCode.addEventListener('focus', () => el.embedCode.select());
  for (const b of document.querySelectorAll('[data-export]')) {
    b.addEventListener('click', () => exportChart(...b.dataset.export.split(':')));
    b.setAttribute('aria-label', t('export_chart', { chart: '', fmt: b.textContent }));
  }
  window.addEventListener('popstate', () => {
    state = fromQuery(location.search);
    syncInputs();
    schedule();
  });
}

function setLang(l) {
  lang = l;
  state.lang = l;
  tBound = (key, params) => tr(lang, key, params);
  applyTranslations(document, lang);
  fillSelects();
  refreshPickerItems();
  if (planView) planView.fillChoices();
  syncInputs();
  schedule();
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('copied'));
  } catch {
    toast(t('copy_failed'));
  }
}
let toastTimer = 0;
function toast(msg) {
  el.toast.textContent = msg;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.toast.textContent = ''), 2500);
}

function download(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 0);
}
async function exportChart(name, fmt) {
  const c = charts[name];
  if (!c) return;
  const titles = { context: 'chart_context', concurrency: 'chart_concurrency', pareto: 'pareto_title' };
  const title = `${t(titles[name])} — ${name === 'pareto' ? modelName : last ? last.result.model.name || '' : ''}`;
  const svg = c.toSVG(title);
  const base = `vramplan-${name}`;
  if (fmt === 'svg') download(new Blob([svg], { type: 'image/svg+xml' }), `${base}.svg`);
  else download(await svgToPNG(svg), `${base}.png`);
}

function pageURL() {
  return location.protocol === 'file:' ? 'https://vramplan.github.io/vramplan/' : location.href.split(/[?#]/)[0];
}
function updateEmbed() {
  el.embedCode.value = embedSnippet(pageURL(), { ...state, embed: false }, el.embedW.value, Number(el.embedH.value) || 360, lang);
  el.openFull.href = pageURL() + toQuery({ ...state, embed: false });
}

// ---------- catalogs into the inputs ----------
function fillSelects() {
  const own = last && !state.weights ? last.result.weights.format : '';
  el.weights.textContent = '';
  el.weights.append(h('option', { value: '', text: own ? t('weights_default', { fmt: own }) : t('weights_default_plain') }));
  const groups = [['Float', (f) => /^(fp32|fp16|bf16)$/.test(f)], ['FP8 / INT8', (f) => /^(fp8|int8)/.test(f)], ['4-bit / GPTQ / AWQ / bnb', (f) => /^(gptq|awq|nf4|fp4|mxfp4|nvfp4)/.test(f)], ['GGUF (llama.cpp)', (f) => f.startsWith('gguf-')]];
  for (const [label, test] of groups) {
    const og = h('optgroup', { label });
    for (const f of cat.formats.filter(test)) og.append(h('option', { value: f, text: f }));
    el.weights.append(og);
  }
  el.weights.value = state.weights;
  el.kv.textContent = '';
  for (const k of KV_DTYPES) el.kv.append(h('option', { value: k, text: k === 'auto' ? t('kv_auto') : k }));
  el.kv.value = state.kv;
  el.engine.textContent = '';
  for (const e of ENGINES) el.engine.append(h('option', { value: e, disabled: !engineOK[e], text: engineOK[e] ? e : `${e} ${t('engine_soon')}` }));
  el.engine.value = state.engine;
  el.opts.querySelectorAll('.field').forEach((n) => n.remove());
  for (const name of ENGINE_OPTIONS) {
    const id = `opt-${name}`;
    el.opts.append(h('div', { class: 'field' }, h('label', { for: id }, h('code', { text: name })), h('input', { id, name, type: 'text', inputmode: 'decimal', placeholder: 'default', 'aria-describedby': 'err-opts', value: state.opts[name] ?? null })));
  }
  for (const inp of el.opts.querySelectorAll('input')) {
    inp.addEventListener('input', () => {
      const opts = { ...state.opts };
      const v = inp.value.trim();
      if (v === '') delete opts[inp.name];
      else if (Number.isFinite(Number(v))) opts[inp.name] = Number(v);
      else {
        setError('opts', t('err.invalid_field'));
        return;
      }
      update({ opts });
    });
  }
}

function refreshPickerItems() {
  modelPicker.setItems(cat.models.map((m) => ({ id: m.id, label: m.name, detail: m.id, search: `${m.id} ${m.name} ${m.family} ${m.aliases.join(' ')}` })));
  const gpus = cat.gpus.map((g) => ({ id: g.id, label: g.name, detail: `${formatGB(g.capacity_bytes, state.unit, lang)} · ${g.vendor}`, search: `${g.id} ${g.name} ${g.vendor} ${g.aliases.join(' ')}` }));
  gpus.push({ id: 'custom', label: t('gpu_custom'), detail: '', search: 'custom 自定义', always: true });
  gpuPicker.setItems(gpus);
}

// ---------- start ----------
async function start() {
  applyTheme();
  if (state.embed) state.view = ''; // embed mode shows the calculator's verdict and bars only
  document.body.classList.toggle('embed', state.embed);
  applyTranslations(document, lang);
  wire();
  syncInputs();
  performance.mark('vramplan:start');
  await core.load();
  performance.mark('vramplan:wasm');
  // The verdict needs no catalog: answer first, then fill the pickers and lists.
  render();
  cat = core.catalog();
  performance.mark('vramplan:catalog');
  fillSelects();
  refreshPickerItems();
  if (planView) planView.setCatalog(cat);
  syncInputs();
  schedule(); // lists that needed the catalog (GPUs that fit)
  idle(() => {
    engineOK = core.supportedEngines(ENGINES, { model: state.cfg ? cat.models[0].id : state.model });
    fillSelects();
  });
  document.body.classList.add('ready');
  if ('serviceWorker' in navigator && location.protocol.startsWith('http') && !document.getElementById('vramplan-wasm')) {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
}

start().catch((e) => {
  el.verdict.textContent = `${t('err.internal')} ${e && e.message ? e.message : e}`;
  el.verdict.className = 'verdict bad';
});

