// The Planner view: its inputs (workload, targets, candidate hardware, formats, engine) and its results
// (ranked plans, Little's law, the selected plan's memory bars and launch command, the Pareto chart,
// rejected families, assumptions). The whole-catalog search takes tens of milliseconds in wasm, so it
// runs once the inputs have settled (debounced), not on every keystroke; main.js owns the state.
import { toPlanRequest, planInputForField, parsePrices } from './state.js';
import { localizeReason, ASSUMPTIONS_ZH } from './i18n.js';
import { formatInt, formatNumber, parseCount } from './format.js';
import { paretoPoints, paretoSVG, paretoGeometry, planEstimateRequest, e2eMs } from './plan.js';
import { cssVar } from './charts.js';
import { Picker } from './picker.js';

const FORMATS = ['bf16', 'fp16', 'fp8', 'int8', 'awq-int4', 'gptq-int4', 'nvfp4', 'mxfp4', 'gguf-Q8_0', 'gguf-Q4_K_M'];
const KVS = ['auto', 'fp16', 'bf16', 'fp8', 'int8', 'q8_0', 'q4_0'];
const VENDORS = { nvidia: 'NVIDIA', amd: 'AMD', huawei: 'Huawei Ascend', metax: 'MetaX', hygon: 'Hygon', apple: 'Apple', intel: 'Intel' };
const TOP = 15; // rows shown before "show all"
const DEBOUNCE_MS = 300;
// The planner's error fields -> the id of the input (and of its err-… line).
const INPUT_ID = { qps: 'p-load', users: 'p-load', prompt: 'p-prompt', output: 'p-output', ttft: 'p-ttft', tpot: 'p-tpot', minTps: 'p-min-tps', minMem: 'p-min-mem', maxGpus: 'p-max-gpus', maxCost: 'p-max-cost', prices: 'p-prices', gpus: 'p-gpus', formats: 'p-formats', kvs: 'p-kvs', pengine: 'p-pengine', model: 'model', cfg: 'cfg' };
// A warning the planner passes on from the estimate parser; it does not apply to plans (each is judged on its GPU).
const IRRELEVANT_WARNING = /^no hardware\.gpu given/;

/** Calls fn when the page is idle (or soon). */
function idle(fn) {
  return typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 200 }) : setTimeout(fn, 1);
}

/** The cost vs latency chart: an inline SVG sized to its box, pointer and keyboard readout, click to select. */
class ParetoChart {
  constructor(box, readout, onPick) {
    this.box = box;
    this.readout = readout;
    this.onPick = onPick;
    this.points = [];
    this.width = 0;
    box.tabIndex = 0;
    box.addEventListener('pointermove', (e) => this.hover(this.nearest(e)));
    box.addEventListener('pointerleave', () => this.hover(null));
    box.addEventListener('click', (e) => {
      const p = this.nearest(e);
      if (p) this.onPick(p.i);
    });
    box.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const front = this.points.filter((p) => p.pareto).sort((a, b) => a.x - b.x);
      if (!front.length) return;
      e.preventDefault();
      const k = front.findIndex((p) => p.i === this.selected);
      const next = k < 0 ? 0 : Math.min(front.length - 1, Math.max(0, k + (e.key === 'ArrowRight' ? 1 : -1)));
      this.onPick(front[next].i);
    });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        if (this.result && Math.abs(this.box.clientWidth - this.width) > 2) this.draw();
      }).observe(box);
    }
  }

  update(result, selected, ctx) {
    this.result = result;
    this.points = paretoPoints(result);
    this.selected = selected;
    this.ctx = ctx;
    this.draw();
  }

  options(width, height, exportMode) {
    const { t, lang } = this.ctx;
    const colors = { fg: cssVar('--fg', '#111'), muted: cssVar('--muted', '#555'), grid: cssVar('--grid', '#e5e7eb'), accent: cssVar('--accent', '#2458d6'), bgCard: cssVar('--bg-card', '#fff') };
    const labels = {};
    if (exportMode) for (const p of this.points) if (p.pareto) labels[p.i] = this.shortName(this.result.plans[p.i]);
    return {
      width, height, colors, lang, selected: this.selected, labels,
      xLabel: t('axis_latency'), yLabel: t('axis_cost'),
      legend: exportMode ? [t('pareto_front'), t('meets_slo'), t('misses_slo'), t('selected')] : null,
      bg: exportMode ? colors.bgCard : null,
    };
  }

  shortName(p) {
    return `${p.total_gpus} × ${p.gpu_name.replace(/\s*\(.*\)$/, '')} ${p.weights}`;
  }

  draw() {
    this.width = Math.max(260, Math.floor(this.box.clientWidth || 600));
    const height = Math.round(Math.min(320, Math.max(200, this.width * 0.48)));
    if (!this.points.length) {
      this.box.innerHTML = '';
      this.geom = null;
      return;
    }
    this.box.innerHTML = paretoSVG(this.points, this.options(this.width, height, false));
    this.geom = paretoGeometry(this.points, this.width, height, false);
    this.describe(this.points.find((p) => p.i === this.selected));
  }

  nearest(e) {
    if (!this.geom) return null;
    const rect = this.box.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let best = null;
    let dist = 24 * 24;
    for (const p of this.points) {
      const d = (this.geom.X.map(p.x) - x) ** 2 + (this.geom.Y.map(p.y) - y) ** 2;
      if (d < dist) {
        dist = d;
        best = p;
      }
    }
    return best;
  }

  hover(p) {
    const ring = this.box.querySelector('circle.hover');
    if (ring) {
      ring.setAttribute('cx', p ? this.geom.X.map(p.x).toFixed(1) : -20);
      ring.setAttribute('cy', p ? this.geom.Y.map(p.y).toFixed(1) : -20);
      ring.setAttribute('visibility', p ? 'visible' : 'hidden');
    }
    this.box.style.cursor = p ? 'pointer' : '';
    this.describe(p || this.points.find((q) => q.i === this.selected));
  }

  describe(p) {
    if (!this.readout) return;
    if (!p) {
      this.readout.textContent = '';
      return;
    }
    const { t, lang } = this.ctx;
    const plan = this.result.plans[p.i];
    this.readout.textContent = `#${p.i + 1} ${this.shortName(plan)} · ${t('usd_h', { v: formatNumber(p.y, lang) })} · ${formatNumber(p.x, lang, 1)} s · ${plan.meets_slo ? '✓' : '✗'}${p.pareto ? ` · ${t('pareto_front')}` : ''}`;
  }

  toSVG(title) {
    return paretoSVG(this.points, { ...this.options(800, 440, true), title });
  }
}

/**
 * The view. `env` gives it what main.js owns: core, h (element builder), dl, t(), lang(), state(),
 * gb(bytes), update(patch), copy(text), setError(id, msg), renderBars(result, barsEl, legendEl),
 * gpuName(id), charts (the export registry).
 */
export function createPlanView(env) {
  const $ = (id) => document.getElementById(id);
  const { h } = env;
  const el = {
    load: $('p-load'), loadLabel: $('p-load-label'), loadQps: $('p-load-qps'), loadUsers: $('p-load-users'),
    vendors: $('p-vendors'), formats: $('p-formats'), kvs: $('p-kvs'), engine: $('p-engine'), gpu: $('p-gpu'), gpuList: $('p-gpu-list'), chosen: $('p-chosen'),
    card: $('plan-card'), verdict: $('plan-verdict'), little: $('plan-little'), count: $('plan-count'), err: $('err-plan'),
    table: $('plans'), tbody: document.querySelector('#plans tbody'), more: $('plans-more'),
    selCard: $('plan-sel-card'), selHead: $('plan-sel-head'), bars: $('plan-bars'), barLegend: $('plan-bar-legend'), facts: $('plan-sel-facts'),
    cmd: $('plan-cmd'), copyBtn: $('plan-copy'), chart: $('chart-pareto'), readout: $('readout-pareto'), paretoHint: $('pareto-hint'), legend: $('pareto-legend'),
    rejectedBox: $('rejected-box'), rejectedH: $('rejected-h'), rejected: $('rejected'), warnCard: $('plan-warnings-card'), warnings: $('plan-warnings'), assumptions: $('plan-assumptions'),
  };
  const NUMS = [
    ['p-prompt', 'prompt', { int: true, min: 1 }], ['p-output', 'output', { int: true, min: 1 }],
    ['p-ttft', 'ttft', { empty: 0 }], ['p-tpot', 'tpot', { empty: 0 }], ['p-min-tps', 'minTps', { empty: 0 }],
    ['p-min-mem', 'minMem', { empty: 0 }], ['p-max-gpus', 'maxGpus', { int: true, min: 1 }], ['p-max-cost', 'maxCost', { empty: 0 }],
  ];
  let vendorList = [];
  let native = '';
  let timer = 0;
  let pending = 0; // a run was asked for and has not happened yet
  let lastKey = '';
  let request = null;
  let result = null;
  let error = null;
  let elapsed = 0;
  let selected = 0;
  let showAll = false;
  let firstRun = true;
  let picker = null;
  const chart = new ParetoChart(el.chart, el.readout, (i) => select(i, true));
  env.charts.pareto = chart;
  const t = (k, p) => env.t(k, p);
  const st = () => env.state();
  const money = (v) => (typeof v === 'number' ? formatNumber(v, env.lang(), 2) : '—');

  // ---------- inputs ----------
  function parseNum(raw, { int = false, min = 0, empty }) {
    const s = raw.trim();
    if (s === '' && empty !== undefined) return empty;
    const v = int ? parseCount(s) : Number(s.replace(/[,_\s]/g, ''));
    if (!Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) return NaN;
    return v;
  }
  function numInput(input, key, opts) {
    input.addEventListener('input', () => {
      const k = typeof key === 'function' ? key() : key;
      const v = parseNum(input.value, opts());
      if (Number.isNaN(v)) {
        env.setError(input.id, t(opts().int ? 'err_positive' : opts().min > 0 ? 'err_number_pos' : 'err_number'));
        el.card.classList.add('stale');
        return;
      }
      env.setError(input.id, '');
      env.update({ [k]: v });
    });
    input.addEventListener('blur', () => syncInputs());
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
  function fillChoices() {
    const s = st();
    checks(el.vendors, vendorList, s.vendors, (v) => VENDORS[v] || v, (vendors) => env.update({ vendors }));
    const formats = [...new Set([...FORMATS, ...(native ? [native] : []), ...s.formats])];
    checks(el.formats, formats, s.formats, (f) => (f === native ? t('p_own', { fmt: f }) : f), (list) => env.update({ formats: formats.filter((f) => list.includes(f)) }));
    const kvs = [...new Set([...KVS, ...s.kvs])];
    checks(el.kvs, kvs, s.kvs, (k) => (k === 'auto' ? t('kv_auto') : k), (list) => env.update({ kvs: kvs.filter((k) => list.includes(k)) }));
  }
  function renderChosen() {
    el.chosen.textContent = '';
    for (const id of st().gpus) {
      const name = env.gpuName(id);
      el.chosen.append(h('li', {}, h('button', { type: 'button', 'aria-label': t('p_remove', { gpu: name }), onclick: () => env.update({ gpus: st().gpus.filter((g) => g !== id) }) }, `${name} ×`)));
    }
  }

  function wire() {
    el.loadQps.addEventListener('click', () => env.update({ load: 'qps' }));
    el.loadUsers.addEventListener('click', () => env.update({ load: 'users' }));
    numInput(el.load, () => st().load, () => (st().load === 'users' ? { int: true, min: 1 } : { min: 1e-6 }));
    for (const [id, key, opts] of NUMS) numInput($(id), key, () => opts);
    const prices = $('p-prices');
    prices.addEventListener('input', () => {
      const items = parsePrices(prices.value);
      if (!items) {
        env.setError(prices.id, t('err_prices'));
        el.card.classList.add('stale');
        return;
      }
      env.setError(prices.id, '');
      env.update({ prices: items });
    });
    el.engine.addEventListener('change', () => env.update({ pengine: el.engine.value }));
    picker = new Picker(el.gpu, el.gpuList, {
      onPick: (id) => {
        picker.value = '';
        el.gpu.value = '';
        if (!st().gpus.includes(id)) env.update({ gpus: [...st().gpus, id] });
      },
      noneText: () => t('search_none'),
    });
    el.more.addEventListener('click', () => {
      showAll = !showAll;
      renderTable();
    });
    el.copyBtn.addEventListener('click', () => env.copy(el.cmd.textContent));
    el.rejectedBox.addEventListener('toggle', () => el.rejectedBox.open && renderRejected());
  }

  /** Catalog arrived: vendor boxes and the GPU picker. */
  function setCatalog(cat) {
    vendorList = [...new Set(cat.gpus.map((g) => g.vendor))];
    picker.setItems(cat.gpus.map((g) => ({ id: g.id, label: g.name, detail: `${formatInt(g.capacity_bytes / 1e9, 'en')} GB · ${g.vendor}`, search: `${g.id} ${g.name} ${g.vendor} ${g.aliases.join(' ')}` })));
    fillChoices();
    renderChosen();
  }

  /** The model's own weight format (shown as "(model's own)" among the format boxes). */
  function setNative(fmt) {
    if (fmt === native) return;
    native = fmt;
    fillChoices();
  }

  function syncInputs() {
    const s = st();
    const users = s.load === 'users';
    el.loadQps.setAttribute('aria-pressed', String(!users));
    el.loadUsers.setAttribute('aria-pressed', String(users));
    el.loadLabel.textContent = t(users ? 'p_users' : 'p_qps');
    if (document.activeElement !== el.load) el.load.value = String(users ? s.users : s.qps);
    for (const [id, key, opts] of NUMS) {
      const input = $(id);
      if (document.activeElement !== input) input.value = opts.empty !== undefined && s[key] === 0 ? '' : String(s[key]);
    }
    const prices = $('p-prices');
    if (document.activeElement !== prices) prices.value = s.prices.join(', ');
    el.engine.value = s.pengine;
    for (const [box, list] of [[el.vendors, s.vendors], [el.formats, s.formats], [el.kvs, s.kvs]]) {
      for (const input of box.querySelectorAll('input')) input.checked = list.includes(input.value);
    }
    renderChosen();
  }

  // ---------- running the planner ----------
  function keyOf() {
    try {
      return JSON.stringify(toPlanRequest(st()));
    } catch {
      return '';
    }
  }

  /** Asks for a plan of the current state: at once the first time, then once the inputs settle. */
  function request_() {
    let req;
    try {
      req = toPlanRequest(st());
    } catch (e) {
      env.setError('cfg', t('config_bad_json', { msg: e.message }));
      return;
    }
    const key = JSON.stringify(req);
    clearTimeout(timer);
    if (key === lastKey) {
      pending = 0;
      render(); // same question (language, units, theme): draw the answer again
      return;
    }
    pending = key;
    el.card.setAttribute('aria-busy', 'true');
    el.table.setAttribute('aria-busy', 'true');
    timer = setTimeout(() => idle(() => run(req, key)), firstRun ? 0 : DEBOUNCE_MS);
  }

  let inFlight = null; // [req, key] of the plan being computed, and the one asked for meanwhile
  let queued = null;
  function run(req, key) {
    if (pending !== key) return;
    if (inFlight) {
      queued = [req, key];
      return;
    }
    pending = 0;
    firstRun = false;
    inFlight = key;
    const t0 = performance.now();
    const done = (res, err) => {
      inFlight = null;
      performance.measure('vramplan:plan', { start: t0, end: performance.now() });
      if (queued) {
        const [r, k] = queued;
        queued = null;
        if (pending === k) {
          run(r, k); // newer inputs: their answer replaces this one
          return;
        }
      }
      if (pending || key !== keyOf()) return; // newer inputs are waiting for their debounce, or went back
      result = res ? res.result : null;
      error = err || null;
      elapsed = res ? res.ms : 0;
      lastKey = key;
      request = req;
      selected = 0;
      showAll = false;
      const r0 = performance.now();
      render();
      performance.measure('vramplan:plan-render', { start: r0, end: performance.now() });
      if (!performance.getEntriesByName('vramplan:first-plan').length) performance.mark('vramplan:first-plan');
    };
    env.core.planAsync(req).then((res) => done(res, null), (e) => {
      if (!(e instanceof env.core.VramplanError)) throw e;
      done(null, e);
    });
  }

  // ---------- rendering ----------
  function render() {
    el.card.removeAttribute('aria-busy');
    el.table.removeAttribute('aria-busy');
    el.card.classList.remove('stale');
    el.err.textContent = '';
    const lang = env.lang();
    if (error) {
      const input = planInputForField(error.field);
      const id = INPUT_ID[input] || 'model';
      const msg = lang === 'en' ? error.message : `${t(`err.${error.code}`)} ${t('err_core_detail', { msg: error.message })}`;
      env.setError(id === 'model' && st().cfg ? 'cfg' : id, msg);
      el.err.textContent = msg;
      el.verdict.textContent = t(`err.${error.code}`);
      el.verdict.className = 'verdict bad';
      el.card.classList.add('stale');
      return;
    }
    if (!result) return;
    const r = result;
    const best = r.plans[0];
    const meets = r.plans.filter((p) => p.meets_slo).length;
    let text;
    if (!best) text = t('plan_verdict_none');
    else {
      const args = { n: formatInt(best.total_gpus, lang), gpu: best.gpu_name, fmt: best.weights, cost: t('usd_h', { v: money(best.cost_per_hour) }) };
      text = t(best.meets_slo ? (typeof best.cost_per_hour === 'number' ? 'plan_verdict_ok' : 'plan_verdict_ok_noprice') : 'plan_verdict_noslo', args);
    }
    el.verdict.textContent = text;
    el.verdict.className = `verdict ${best && best.meets_slo ? 'ok' : 'bad'}`;
    document.title = `${text} — vramplan`;
    const mini = $('mini-verdict');
    mini.textContent = text;
    mini.className = `mini ${best && best.meets_slo ? 'ok' : 'bad'}`;
    const w = r.workload;
    el.little.dataset.value = String(r.concurrency);
    if (w.qps > 0) {
      el.little.textContent = r.concurrency > 0 ? t('little_qps', { n: formatInt(r.concurrency, lang), qps: formatNumber(w.qps, lang), w: formatNumber(r.concurrency / w.qps, lang, 1), out: formatInt(w.output_tokens, lang) }) : '';
    } else el.little.textContent = t('little_users', { n: formatInt(r.concurrency, lang) });
    el.count.textContent = t('plan_count', { n: formatInt(r.plans.length, lang), m: formatInt(meets, lang), r: formatInt(r.rejected.length, lang), ms: formatInt(elapsed, lang) });
    renderTable();
    renderSelected();
    renderChart();
    el.rejectedH.textContent = t('rejected_title', { n: formatInt(r.rejected.length, lang) });
    el.rejectedBox.hidden = !r.rejected.length;
    if (el.rejectedBox.open) renderRejected();
    else el.rejected.textContent = '';
    const warnings = r.warnings.filter((x) => !IRRELEVANT_WARNING.test(x));
    el.warnCard.hidden = !warnings.length;
    el.warnings.textContent = '';
    for (const x of warnings) el.warnings.append(h('li', { lang: 'en', text: x }));
    el.assumptions.textContent = '';
    for (const a of r.assumptions) {
      const zh = lang === 'zh' && ASSUMPTIONS_ZH[a.name];
      const value = typeof a.value === 'number' ? formatNumber(a.value, lang) : String(a.value);
      el.assumptions.append(h('dt', {}, h('code', { text: a.name }), zh ? ` ${zh[0]}` : ''), h('dd', {}, h('strong', { lang: 'en', text: value }), ' — ', h('span', { lang: zh ? 'zh-CN' : 'en', text: zh ? zh[1] : a.why })));
    }
  }

  function renderTable() {
    const r = result;
    const lang = env.lang();
    el.tbody.textContent = '';
    if (!r) return;
    const front = new Set(r.pareto);
    const num = (b) => env.gb(b).replace(/ \S+$/, ''); // the unit is in the column's header
    $('col-mem').textContent = t('col_mem', { unit: env.state().unit });
    const n = showAll ? r.plans.length : Math.min(TOP, r.plans.length);
    for (let i = 0; i < n; i++) {
      const p = r.plans[i];
      const why = localizeReason(p.why, lang);
      const pick = h('button', { type: 'button', class: 'plan-pick', 'aria-pressed': String(i === selected), onclick: () => select(i, false) }, p.gpu_name);
      const used = p.capacity > 0 ? Math.min(1, p.per_gpu_total / p.capacity) : 0;
      el.tbody.append(h('tr', { class: i === selected ? 'sel' : null, 'data-gpu': p.gpu, 'data-total-gpus': String(p.total_gpus), 'data-weights': p.weights },
        h('td', { class: 'num' }, front.has(i) ? h('span', { class: 'front', title: t('pareto_mark'), 'aria-label': t('pareto_mark') }, '◆ ') : null, String(i + 1)),
        h('td', { class: 'gpu' }, pick),
        h('td', { text: `${p.total_gpus} = ${p.replicas} × (${p.tensor_parallel}×${p.pipeline_parallel})` }),
        h('td', { class: 'wrap', text: `${p.weights} / ${p.kv_cache_dtype}` }),
        h('td', { class: 'num' }, `${num(p.per_gpu_total)} / ${num(p.capacity)}`, h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', { style: `width:${(used * 100).toFixed(1)}%` }))),
        h('td', { class: 'num', text: `${formatInt(p.ttft_ms, lang)} ms` }),
        h('td', { class: 'num', text: `${formatNumber(p.tpot_ms, lang, 1)} ms` }),
        h('td', { class: 'num', text: formatInt(p.output_tokens_per_s, lang) }),
        h('td', { class: 'num', text: money(p.cost_per_hour) }),
        h('td', { class: 'num', text: money(p.cost_per_million_output_tokens) }),
        // ✓ rows: the reason only repeats the TTFT/TPOT columns, so it is the cell's title; ✗ rows show it.
        h('td', { class: 'why', title: why.text }, h('span', { class: p.meets_slo ? 'ok' : 'no', text: p.meets_slo ? '✓' : '✗', 'aria-label': why.text }), p.meets_slo ? null : h('small', { lang: why.lang, text: why.text }))));
    }
    el.more.hidden = r.plans.length <= TOP;
    el.more.textContent = showAll ? t('show_top', { n: TOP }) : t('show_all', { n: formatInt(r.plans.length, lang) });
  }

  function select(i, fromChart) {
    if (!result || !result.plans[i]) return;
    selected = i;
    if (i >= TOP && !showAll) showAll = true;
    renderTable();
    renderSelected();
    renderChart();
    if (fromChart) el.chart.focus();
  }

  function renderSelected() {
    const p = result && result.plans[selected];
    el.selCard.hidden = !p;
    if (!p) return;
    const lang = env.lang();
    el.selHead.textContent = t('sel_head', { rank: selected + 1, n: formatInt(p.total_gpus, lang), gpu: p.gpu_name, replicas: formatInt(p.replicas, lang), tp: p.tensor_parallel, pp: p.pipeline_parallel, fmt: p.weights, kv: p.kv_cache_dtype });
    el.bars.textContent = '';
    try {
      env.renderBars(env.core.estimate(planEstimateRequest(request, p)), el.bars, el.barLegend);
    } catch {
      /* the bars are an extra; the table still has the figures */
    }
    const rows = [
      [t('sel_replicas'), formatInt(p.replicas, lang)],
      [t('sel_conc'), formatNumber(p.concurrency_per_replica, lang, 1)],
      ['TTFT / TPOT', `${formatInt(p.ttft_ms, lang)} ms / ${formatNumber(p.tpot_ms, lang, 1)} ms`],
      [t('sel_e2e'), `${formatNumber(e2eMs(p, result.workload.output_tokens) / 1000, lang, 1)} s`],
      [t('sel_tps'), formatInt(p.output_tokens_per_s, lang)],
      [t('col_cost'), money(p.cost_per_hour)],
      [t('col_cost_m'), money(p.cost_per_million_output_tokens)],
    ];
    if (p.expert_parallel > 1) rows.push([t('sel_ep'), String(p.expert_parallel)]);
    rows.push([t('sel_path'), p.compute_path]);
    env.dl(el.facts, rows);
    el.cmd.textContent = p.launch_command;
    el.copyBtn.dataset.command = p.launch_command;
  }

  function renderChart() {
    const r = result;
    chart.update(r, selected, { t, lang: env.lang() });
    const pts = chart.points.length;
    const unpriced = r.plans.length - pts;
    el.paretoHint.textContent = pts ? `${t('pareto_hint')}${unpriced ? ` ${t('pareto_unpriced', { n: formatInt(unpriced, env.lang()) })}` : ''}` : t('pareto_none');
    el.chart.setAttribute('aria-label', `${t('pareto_title')}: ${el.readout.textContent}`);
    el.legend.textContent = '';
    const marks = [['front-sw', 'pareto_front'], ['meets-sw', 'meets_slo'], ['misses-sw', 'misses_slo'], ['sel-sw', 'selected']];
    for (const [cls, key] of marks) el.legend.append(h('li', {}, h('span', { class: `sw ${cls}`, 'aria-hidden': 'true' }), t(key)));
  }

  function renderRejected() {
    el.rejected.textContent = '';
    if (!result) return;
    const lang = env.lang();
    for (const x of result.rejected) {
      const why = localizeReason(x.reason, lang);
      const what = t('rejected_item', { gpu: env.gpuName(x.gpu), n: x.gpus_per_replica, fmt: x.weights });
      el.rejected.append(h('li', {}, h('span', { class: 'r-what', text: what }), ': ', h('span', { lang: why.lang, text: why.text })));
    }
  }

  /** For the Copy JSON / Markdown buttons. */
  const current = () => (result ? { request, result } : null);

  wire();
  return { request: request_, syncInputs, setCatalog, setNative, fillChoices, current };
}
