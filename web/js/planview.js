// The Planner view: its inputs (workload, targets, candidate hardware, formats, engine) and its results
// (ranked plans, Little's law, the selected plan's memory bars and launch command, the Pareto chart,
// rejected families, assumptions). The whole-catalog search takes tens of milliseconds in wasm, so it
// runs once the inputs have settled (debounced), in a worker (core.planAsync). A chunk of its own,
// fetched when the Planner is first shown. Its state is one object (`view`); main.js's app owns the rest.
import * as core from './core.js';
import { toPlanRequest, planInputForField, parsePrices } from './state.js';
import { formatInt, formatNumber, parseCount } from './format.js';
import { planEstimateRequest, e2eMs } from './plan.js';
import { ParetoChart } from './paretochart.js';
import { Picker } from './picker.js';
import { $, h, dl, htmlLang, idle, setError } from './dom.js';
import { renderWarnings, renderAssumptions } from './calc.js';
import { engineOf, fillEngineSelect } from './engines.js';
import { applyTranslations } from './i18n.js';
import { INPUTS_HTML, RESULTS_HTML } from './planmarkup.js';

const VENDORS = { nvidia: 'NVIDIA', amd: 'AMD', huawei: 'Huawei Ascend', metax: 'MetaX', hygon: 'Hygon', apple: 'Apple', intel: 'Intel' };
const TOP = 15; // rows shown before "show all"
const DEBOUNCE_MS = 300;
// The planner's error fields -> the id of the input (and of its err-… line).
const INPUT_ID = { qps: 'p-load', users: 'p-load', prompt: 'p-prompt', output: 'p-output', ttft: 'p-ttft', tpot: 'p-tpot', minTps: 'p-min-tps', minMem: 'p-min-mem', maxGpus: 'p-max-gpus', maxCost: 'p-max-cost', prices: 'p-prices', gpus: 'p-gpus', formats: 'p-formats', kvs: 'p-kvs', pengine: 'p-engine', model: 'model', cfg: 'cfg' };
// The number inputs: id, state key, what they take.
const NUMS = [
  ['p-prompt', 'prompt', { int: true, min: 1 }], ['p-output', 'output', { int: true, min: 1 }],
  ['p-ttft', 'ttft', { empty: 0 }], ['p-tpot', 'tpot', { empty: 0 }], ['p-min-tps', 'minTps', { empty: 0 }],
  ['p-min-mem', 'minMem', { empty: 0 }], ['p-max-gpus', 'maxGpus', { int: true, min: 1 }], ['p-max-cost', 'maxCost', { empty: 0 }],
];

function elements() {
  return {
    load: $('p-load'), loadLabel: $('p-load-label'), loadQps: $('p-load-qps'), loadUsers: $('p-load-users'), prices: $('p-prices'),
    vendors: $('p-vendors'), formats: $('p-formats'), kvs: $('p-kvs'), engine: $('p-engine'), gpu: $('p-gpu'), gpuList: $('p-gpu-list'), chosen: $('p-chosen'),
    card: $('plan-card'), verdict: $('plan-verdict'), little: $('plan-little'), count: $('plan-count'), err: $('err-plan'),
    table: $('plans'), tbody: document.querySelector('#plans tbody'), more: $('plans-more'), colMem: $('col-mem'),
    selCard: $('plan-sel-card'), selHead: $('plan-sel-head'), bars: $('plan-bars'), barLegend: $('plan-bar-legend'), facts: $('plan-sel-facts'),
    cmd: $('plan-cmd'), copyBtn: $('plan-copy'), chart: $('chart-pareto'), readout: $('readout-pareto'), paretoHint: $('pareto-hint'), legend: $('pareto-legend'),
    rejectedBox: $('rejected-box'), rejectedH: $('rejected-h'), rejected: $('rejected'), warnCard: $('plan-warnings-card'), warnings: $('plan-warnings'), assumptions: $('plan-assumptions'),
  };
}

/**
 * The view for the app (main.js): wires its inputs and returns what main.js calls: show() (resolve the
 * model, then plan), syncInputs(), setCatalog(), fillChoices(), current() (for Copy JSON), modelName().
 */
export function createPlanView(app) {
  insertMarkup(app);
  const view = {
    app, el: elements(),
    vendors: [], native: '', modelName: '',
    timer: 0, pending: 0, lastKey: '', inFlight: null, queued: null, firstRun: true, // the debounced runs
    request: null, result: null, error: null, elapsed: 0, // the answer drawn
    selected: 0, showAll: false, picker: null, chart: null,
  };
  view.chart = new ParetoChart(view.el.chart, view.el.readout, (i) => select(view, i, true));
  app.charts.pareto = view.chart;
  wireInputs(view);
  wireResults(view);
  return {
    show: () => show(view), syncInputs: () => syncInputs(view), setCatalog: () => setCatalog(view), fillChoices: () => fillChoices(view),
    current: () => (view.result ? { request: view.request, result: view.result } : null), modelName: () => view.modelName,
  };
}

/** The view's inputs and result cards (they come with this chunk), in the page's language. */
function insertMarkup(app) {
  if (!$('plan-inputs')) {
    $('inputs').insertAdjacentHTML('beforeend', INPUTS_HTML);
    $('plan-card').insertAdjacentHTML('afterend', RESULTS_HTML);
  }
  applyTranslations(document, app.lang);
  for (const b of document.querySelectorAll('[data-export^="pareto:"]')) {
    b.addEventListener('click', () => app.exportChart(...b.dataset.export.split(':')));
    b.setAttribute('aria-label', app.t('export_chart', { chart: '', fmt: b.textContent }));
  }
}

// ---------- inputs ----------
function parseNum(raw, { int = false, min = 0, empty }) {
  const s = raw.trim();
  if (s === '' && empty !== undefined) return empty;
  const v = int ? parseCount(s) : Number(s.replace(/[,_\s]/g, ''));
  if (!Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) return NaN;
  return v;
}

function numInput(view, input, key, opts) {
  const { app } = view;
  input.addEventListener('input', () => {
    const o = opts();
    const v = parseNum(input.value, o);
    if (Number.isNaN(v)) {
      setError(input.id, app.t(o.int ? 'err_positive' : o.min > 0 ? 'err_number_pos' : 'err_number'));
      view.el.card.classList.add('stale');
      return;
    }
    setError(input.id, '');
    app.update({ [typeof key === 'function' ? key() : key]: v });
  });
  input.addEventListener('blur', () => syncInputs(view));
}

function checks(box, values, chosen, label, onChange) {
  box.textContent = '';
  for (const v of values) {
    const input = h('input', { type: 'checkbox', value: v });
    input.checked = chosen.includes(v);
    input.addEventListener('change', () => onChange([...box.querySelectorAll('input:checked')].map((i) => i.value)));
    box.append(h('label', {}, input, label(v)));
  }
}

/** The vendor checkboxes, the engine choice, and the formats and KV dtypes that engine takes (the
 * core's engine table), with the model's own format and whatever the state already has. */
function fillChoices(view) {
  const { app, el, native } = view;
  const s = app.state;
  checks(el.vendors, view.vendors, s.vendors, (v) => VENDORS[v] || v, (vendors) => app.update({ vendors }));
  const engine = engineOf(app.catalog.engines, s.pengine);
  const formats = [...new Set([...(engine ? engine.weight_formats : []), ...(native ? [native] : []), ...s.formats])];
  checks(el.formats, formats, s.formats, (f) => (f === native ? app.t('p_own', { fmt: f }) : f), (list) => app.update({ formats: formats.filter((f) => list.includes(f)) }));
  const kvs = [...new Set([...(engine ? engine.kv_cache_dtypes : ['auto']), ...s.kvs])];
  checks(el.kvs, kvs, s.kvs, (k) => (k === 'auto' ? app.t('kv_auto') : k), (list) => app.update({ kvs: kvs.filter((k) => list.includes(k)) }));
  if (app.catalog.engines.length) fillEngineSelect(app, el.engine, s.pengine);
}

function renderChosen(view) {
  const { app, el } = view;
  el.chosen.textContent = '';
  for (const id of app.state.gpus) {
    const name = gpuName(app, id);
    const remove = () => app.update({ gpus: app.state.gpus.filter((g) => g !== id) });
    el.chosen.append(h('li', {}, h('button', { type: 'button', 'aria-label': app.t('p_remove', { gpu: name }), onclick: remove }, `${name} ×`)));
  }
}

const gpuName = (app, id) => (app.catalog.gpus.find((g) => g.id === id) || { name: id }).name;

function wireInputs(view) {
  const { app, el } = view;
  el.loadQps.addEventListener('click', () => app.update({ load: 'qps' }));
  el.loadUsers.addEventListener('click', () => app.update({ load: 'users' }));
  numInput(view, el.load, () => app.state.load, () => (app.state.load === 'users' ? { int: true, min: 1 } : { min: 1e-6 }));
  for (const [id, key, opts] of NUMS) numInput(view, $(id), key, () => opts);
  el.prices.addEventListener('input', () => {
    const items = parsePrices(el.prices.value);
    setError(el.prices.id, items ? '' : app.t('err_prices'));
    if (items) app.update({ prices: items });
    else el.card.classList.add('stale');
  });
  el.engine.addEventListener('change', () => {
    app.update({ pengine: el.engine.value });
    fillChoices(view);
  });
  view.picker = new Picker(el.gpu, el.gpuList, {
    onPick: (id) => {
      view.picker.value = '';
      el.gpu.value = '';
      if (!app.state.gpus.includes(id)) app.update({ gpus: [...app.state.gpus, id] });
    },
    noneText: () => app.t('search_none'),
  });
}

function wireResults(view) {
  const { app, el } = view;
  el.more.addEventListener('click', () => {
    view.showAll = !view.showAll;
    renderTable(view);
  });
  el.copyBtn.addEventListener('click', () => app.copy(el.copyBtn.dataset.command || ''));
  el.rejectedBox.addEventListener('toggle', () => el.rejectedBox.open && renderRejected(view));
}

/** Catalog arrived: vendor boxes, the engines and the GPU picker. */
function setCatalog(view) {
  const { gpus } = view.app.catalog;
  view.vendors = [...new Set(gpus.map((g) => g.vendor))];
  view.picker.setItems(gpus.map((g) => ({ id: g.id, label: g.name, detail: `${formatInt(g.capacity_bytes / 1e9, 'en')} GB · ${g.vendor}`, search: `${g.id} ${g.name} ${g.vendor} ${g.aliases.join(' ')}` })));
  fillChoices(view);
  renderChosen(view);
}

function syncInputs(view) {
  const { app, el } = view;
  const s = app.state;
  const users = s.load === 'users';
  el.loadQps.setAttribute('aria-pressed', String(!users));
  el.loadUsers.setAttribute('aria-pressed', String(users));
  el.loadLabel.textContent = app.t(users ? 'p_users' : 'p_qps');
  if (document.activeElement !== el.load) el.load.value = String(users ? s.users : s.qps);
  for (const [id, key, opts] of NUMS) {
    const input = $(id);
    if (document.activeElement !== input) input.value = opts.empty !== undefined && s[key] === 0 ? '' : String(s[key]);
  }
  if (document.activeElement !== el.prices) el.prices.value = s.prices.join(', ');
  el.engine.value = s.pengine;
  for (const [box, list] of [[el.vendors, s.vendors], [el.formats, s.formats], [el.kvs, s.kvs]]) {
    for (const input of box.querySelectorAll('input')) input.checked = list.includes(input.value);
  }
  renderChosen(view);
}

// ---------- running the planner ----------
/** Resolves the model (a quick estimate: aliases become ids, errors show at the picker, its own format is
 * offered among the formats), then asks for a plan. */
function show(view) {
  const { app } = view;
  const { state } = app;
  let info;
  try {
    const model = state.cfg ? { config: JSON.parse(state.cfg) } : state.model;
    info = core.estimate({ model, workload: { context_tokens: 1, concurrency: 1 } });
  } catch (e) {
    if (e instanceof SyntaxError) setError('cfg', app.t('config_bad_json', { msg: e.message }));
    else if (e instanceof core.VramplanError) setError(state.cfg ? 'cfg' : 'model', errorText(app, e));
    else throw e;
    view.el.card.classList.add('stale');
    return;
  }
  if (!state.cfg && info.model && info.model.id && info.model.id !== state.model) state.model = info.model.id;
  if (document.activeElement !== app.el.model) app.pickers.model.setValue(state.model);
  view.modelName = info.model.name || info.model.id || 'config.json';
  if (info.weights.format !== view.native) {
    view.native = info.weights.format;
    fillChoices(view);
  }
  if (!core.capabilities().plan) {
    view.el.verdict.textContent = app.t('plan_unsupported');
    view.el.verdict.className = 'verdict bad';
  } else requestPlan(view);
}

function keyOf(view) {
  try {
    return JSON.stringify(toPlanRequest(view.app.state));
  } catch {
    return '';
  }
}

/** Asks for a plan of the current state: at once the first time, then once the inputs settle. */
function requestPlan(view) {
  let req;
  try {
    req = toPlanRequest(view.app.state);
  } catch (e) {
    setError('cfg', view.app.t('config_bad_json', { msg: e.message }));
    return;
  }
  const key = JSON.stringify(req);
  clearTimeout(view.timer);
  if (key === view.lastKey) {
    view.pending = 0;
    render(view); // same question (language, units, theme): draw the answer again
    return;
  }
  view.pending = key;
  view.el.card.setAttribute('aria-busy', 'true');
  view.el.table.setAttribute('aria-busy', 'true');
  view.timer = setTimeout(() => idle(() => run(view, req, key)), view.firstRun ? 0 : DEBOUNCE_MS);
}

function run(view, req, key) {
  if (view.pending !== key) return;
  if (view.inFlight) {
    view.queued = [req, key];
    return;
  }
  view.pending = 0;
  view.firstRun = false;
  view.inFlight = key;
  const t0 = performance.now();
  core.planAsync(req).then((res) => done(view, req, key, t0, res, null), (e) => {
    if (!(e instanceof core.VramplanError)) throw e;
    done(view, req, key, t0, null, e);
  });
}

function done(view, req, key, t0, res, err) {
  view.inFlight = null;
  performance.measure('vramplan:plan', { start: t0, end: performance.now() });
  if (view.queued) {
    const [r, k] = view.queued;
    view.queued = null;
    if (view.pending === k) {
      run(view, r, k); // newer inputs: their answer replaces this one
      return;
    }
  }
  if (view.pending || key !== keyOf(view)) return; // newer inputs are waiting for their debounce, or went back
  Object.assign(view, { result: res ? res.result : null, error: err || null, elapsed: res ? res.ms : 0, lastKey: key, request: req, selected: 0, showAll: false });
  const r0 = performance.now();
  render(view);
  performance.measure('vramplan:plan-render', { start: r0, end: performance.now() });
  if (!performance.getEntriesByName('vramplan:first-plan').length) performance.mark('vramplan:first-plan');
}

// ---------- rendering ----------
function errorText(app, e) {
  return app.lang === 'en' ? e.message : `${app.t(`err.${e.code}`)} ${app.t('err_core_detail', { msg: e.message })}`;
}

function renderError(view) {
  const { app, el, error } = view;
  const id = INPUT_ID[planInputForField(error.field)] || 'model';
  const msg = errorText(app, error);
  setError(id === 'model' && app.state.cfg ? 'cfg' : id, msg);
  el.err.textContent = msg;
  el.verdict.textContent = app.t(`err.${error.code}`);
  el.verdict.className = 'verdict bad';
  el.card.classList.add('stale');
}

function render(view) {
  const { app, el } = view;
  el.card.removeAttribute('aria-busy');
  el.table.removeAttribute('aria-busy');
  el.card.classList.remove('stale');
  el.err.textContent = '';
  if (view.error) return renderError(view);
  if (!view.result) return;
  const r = view.result;
  renderVerdict(view);
  renderLittle(view);
  const meets = r.plans.filter((p) => p.meets_slo).length;
  el.count.textContent = app.t('plan_count', { n: formatInt(r.plans.length, app.lang), m: formatInt(meets, app.lang), r: formatInt(r.rejected.length, app.lang), ms: formatInt(view.elapsed, app.lang) });
  renderTable(view);
  renderSelected(view);
  renderChart(view);
  el.rejectedH.textContent = app.t('rejected_title', { n: formatInt(r.rejected.length, app.lang) });
  el.rejectedBox.hidden = !r.rejected.length;
  if (el.rejectedBox.open) renderRejected(view);
  else el.rejected.textContent = '';
  // The estimate parser's "no GPU given" does not apply to plans: each is judged on its own GPU.
  renderWarnings(app, (r.warnings || []).filter((w) => w.code !== 'warn.no_gpu'), el.warnings, el.warnCard);
  renderAssumptions(app, r.assumptions || [], el.assumptions);
}

const money = (v, lang) => (typeof v === 'number' ? formatNumber(v, lang, 2) : '—');

function renderVerdict(view) {
  const { app, el } = view;
  const best = view.result.plans[0];
  let text;
  if (!best) text = app.t('plan_verdict_none');
  else {
    const args = { n: formatInt(best.total_gpus, app.lang), gpu: best.gpu_name, fmt: best.weights, cost: app.t('usd_h', { v: money(best.cost_per_hour, app.lang) }) };
    text = app.t(best.meets_slo ? (typeof best.cost_per_hour === 'number' ? 'plan_verdict_ok' : 'plan_verdict_ok_noprice') : 'plan_verdict_noslo', args);
  }
  const cls = best && best.meets_slo ? 'ok' : 'bad';
  el.verdict.textContent = text;
  el.verdict.className = `verdict ${cls}`;
  document.title = `${text} — vramplan`;
  const mini = $('mini-verdict');
  mini.textContent = text;
  mini.className = `mini ${cls}`;
}

function renderLittle(view) {
  const { app, el, result: r } = view;
  const w = r.workload;
  const lang = app.lang;
  el.little.dataset.value = String(r.concurrency);
  if (w.qps > 0) {
    el.little.textContent = r.concurrency > 0 ? app.t('little_qps', { n: formatInt(r.concurrency, lang), qps: formatNumber(w.qps, lang), w: formatNumber(r.concurrency / w.qps, lang, 1) }) : '';
  } else el.little.textContent = app.t('little_users', { n: formatInt(r.concurrency, lang) });
}

function tableRow(view, p, i, front) {
  const { app } = view;
  const lang = app.lang;
  const why = app.say(p.why);
  const num = (b) => app.gb(b).replace(/ \S+$/, ''); // the unit is in the column's header
  const pick = h('button', { type: 'button', class: 'plan-pick', 'aria-pressed': String(i === view.selected), onclick: () => select(view, i, false) }, p.gpu_name);
  const used = p.capacity > 0 ? Math.min(1, p.per_gpu_total / p.capacity) : 0;
  const mark = front.has(i) ? h('span', { class: 'front', title: app.t('pareto_mark'), 'aria-label': app.t('pareto_mark') }, '◆ ') : null;
  return h('tr', { class: i === view.selected ? 'sel' : null, 'data-gpu': p.gpu, 'data-total-gpus': String(p.total_gpus), 'data-weights': p.weights },
    h('td', { class: 'num' }, mark, String(i + 1)),
    h('td', { class: 'gpu' }, pick),
    h('td', { text: `${p.total_gpus} = ${p.replicas} × (${p.tensor_parallel}×${p.pipeline_parallel})` }),
    h('td', { class: 'wrap', text: `${p.weights} / ${p.kv_cache_dtype}` }),
    h('td', { class: 'num' }, `${num(p.per_gpu_total)} / ${num(p.capacity)}`, h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', { style: `width:${(used * 100).toFixed(1)}%` }))),
    h('td', { class: 'num', text: `${formatInt(p.ttft_ms, lang)} ms` }),
    h('td', { class: 'num', text: `${formatNumber(p.tpot_ms, lang, 1)} ms` }),
    h('td', { class: 'num', text: formatInt(p.output_tokens_per_s, lang) }),
    h('td', { class: 'num', text: money(p.cost_per_hour, lang) }),
    h('td', { class: 'num', text: money(p.cost_per_million_output_tokens, lang) }),
    // ✓ rows: the reason only repeats the TTFT/TPOT columns, so it is the cell's title; ✗ rows show it.
    h('td', { class: 'why', title: why.text }, h('span', { class: p.meets_slo ? 'ok' : 'no', text: p.meets_slo ? '✓' : '✗', 'aria-label': why.text }),
      p.meets_slo ? null : h('small', { lang: htmlLang(why.lang), text: why.text })));
}

function renderTable(view) {
  const { app, el, result: r } = view;
  el.tbody.textContent = '';
  if (!r) return;
  const front = new Set(r.pareto);
  el.colMem.textContent = app.t('col_mem', { unit: app.state.unit });
  const n = view.showAll ? r.plans.length : Math.min(TOP, r.plans.length);
  for (let i = 0; i < n; i++) el.tbody.append(tableRow(view, r.plans[i], i, front));
  el.more.hidden = r.plans.length <= TOP;
  el.more.textContent = view.showAll ? app.t('show_top', { n: TOP }) : app.t('show_all', { n: formatInt(r.plans.length, app.lang) });
}

function select(view, i, fromChart) {
  if (!view.result || !view.result.plans[i]) return;
  view.selected = i;
  if (i >= TOP && !view.showAll) view.showAll = true;
  renderTable(view);
  renderSelected(view);
  renderChart(view);
  if (fromChart) view.el.chart.focus();
}

function selectedFacts(view, p) {
  const { app } = view;
  const lang = app.lang;
  const money2 = (v) => money(v, lang);
  const rows = [
    [app.t('sel_replicas'), formatInt(p.replicas, lang)],
    [app.t('sel_conc'), formatNumber(p.concurrency_per_replica, lang, 1)],
    ['TTFT / TPOT', `${formatInt(p.ttft_ms, lang)} ms / ${formatNumber(p.tpot_ms, lang, 1)} ms`],
    [app.t('sel_e2e'), `${formatNumber(e2eMs(p, view.result.workload.output_tokens) / 1000, lang, 1)} s`],
    [app.t('sel_tps'), formatInt(p.output_tokens_per_s, lang)],
    [app.t('col_cost'), money2(p.cost_per_hour)],
    [app.t('col_cost_m'), money2(p.cost_per_million_output_tokens)],
  ];
  if (p.expert_parallel > 1) rows.push([app.t('sel_ep'), String(p.expert_parallel)]);
  rows.push([app.t('sel_path'), p.compute_path]);
  return rows;
}

/** The selected plan: its memory bars (the estimate the planner evaluated), facts and launch command. */
function renderSelected(view) {
  const { app, el } = view;
  const p = view.result && view.result.plans[view.selected];
  el.selCard.hidden = !p;
  if (!p) return;
  const lang = app.lang;
  el.selHead.textContent = app.t('sel_head', { rank: view.selected + 1, n: formatInt(p.total_gpus, lang), gpu: p.gpu_name, replicas: formatInt(p.replicas, lang), tp: p.tensor_parallel, pp: p.pipeline_parallel, fmt: p.weights, kv: p.kv_cache_dtype });
  el.bars.textContent = '';
  try {
    app.renderBars(core.estimate(planEstimateRequest(view.request, p)), el.bars, el.barLegend);
  } catch {
    /* the bars are an extra; the table still has the figures */
  }
  dl(el.facts, selectedFacts(view, p));
  // An engine without a launcher the settings map to: the core's note in place of a command.
  const note = p.launch_command ? null : app.say(p.launch_note);
  el.cmd.textContent = p.launch_command || (note && note.text) || app.t('launch_none');
  el.cmd.lang = note ? htmlLang(note.lang) : 'en';
  el.cmd.classList.toggle('note', !p.launch_command);
  el.copyBtn.hidden = !p.launch_command;
  el.copyBtn.dataset.command = p.launch_command;
}

function renderChart(view) {
  const { app, el, result: r } = view;
  view.chart.update(r, view.selected, { t: app.t, lang: app.lang });
  const pts = view.chart.points.length;
  const unpriced = r.plans.length - pts;
  el.paretoHint.textContent = pts ? `${app.t('pareto_hint')}${unpriced ? ` ${app.t('pareto_unpriced', { n: formatInt(unpriced, app.lang) })}` : ''}` : app.t('pareto_none');
  el.chart.setAttribute('aria-label', `${app.t('pareto_title')}: ${el.readout.textContent}`);
  el.legend.textContent = '';
  const marks = [['front-sw', 'pareto_front'], ['meets-sw', 'meets_slo'], ['misses-sw', 'misses_slo'], ['sel-sw', 'selected']];
  for (const [cls, key] of marks) el.legend.append(h('li', {}, h('span', { class: `sw ${cls}`, 'aria-hidden': 'true' }), app.t(key)));
}

function renderRejected(view) {
  const { app, el, result } = view;
  el.rejected.textContent = '';
  if (!result) return;
  for (const x of result.rejected) {
    const why = app.say(x.reason_text || x.reason);
    const what = app.t('rejected_item', { gpu: gpuName(app, x.gpu), n: x.gpus_per_replica, fmt: x.weights });
    el.rejected.append(h('li', {}, h('span', { class: 'r-what', text: what }), app.t('colon'), h('span', { lang: htmlLang(why.lang), text: why.text })));
  }
}
