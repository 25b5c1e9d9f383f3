// Wires the page. One app object (made in start()) owns the state (mirrored in the URL), the language,
// the catalogs, the last result, the render generation and the timers; the functions here, in calc.js,
// engines.js and the Planner's chunk take it. A render runs once per animation frame; the slow questions
// (limits, GPUs that fit) run afterwards and are dropped when the inputs change again.
import * as core from './core.js';
import { fromQuery, toQuery, toRequest, effectiveTP, inputForField, optionForField } from './state.js';
import { t as tr, applyTranslations, detectLang } from './i18n.js';
import { say } from './text.js';
import { loadLanguage } from './langs.js';
import { formatGB, formatInt, parseCount } from './format.js';
import { svgToPNG } from './charts.js';
import { Picker } from './picker.js';
import { markdownTable, embedSnippet } from './exporting.js';
import { $, h, setError, clearErrors } from './dom.js';
import { renderVerdict, renderBars, renderDetails } from './calc.js';
import { engineOf, keepOptions, renderEngine, syncOptions } from './engines.js';

performance.mark('vramplan:module');

const CONFIG_TEMPLATE = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, intermediate_size: 14336,
  num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256,
  max_position_embeddings: 8192, tie_word_embeddings: false, torch_dtype: 'bfloat16',
};

function elements() {
  return {
    model: $('model'), modelList: $('model-list'), cfg: $('cfg'), tabCatalog: $('tab-catalog'), tabConfig: $('tab-config'),
    paneCatalog: $('pane-catalog'), paneConfig: $('pane-config'), weights: $('weights'), kv: $('kv'), engine: $('engine'),
    engineBox: $('engine-box'), engineName: $('engine-name'), engineDoc: $('engine-doc'), opts: $('opts'), context: $('context'),
    concurrency: $('concurrency'), gpu: $('gpu'), gpuList: $('gpu-list'), mem: $('mem'), memField: $('mem-field'), count: $('count'),
    tp: $('tp'), pp: $('pp'), verdict: $('verdict'), verdictSub: $('verdict-sub'), verdictDetail: $('verdict-detail'), verdictWarnings: $('verdict-warnings'),
    verdictCard: $('verdict-card'), total: $('per-gpu-total'), cap: $('per-gpu-cap'), host: $('host-bytes'), bars: $('bars'),
    barLegend: $('bar-legend'), breakdown: document.querySelector('#breakdown tbody'), rules: document.querySelector('#rules tbody'),
    inverse: $('inverse'), facts: $('facts'), fitlist: $('fitlist'), warnings: $('warnings'), warningsCard: $('warnings-card'),
    assumptions: $('assumptions'), engineReport: $('engine-report'), toast: $('toast'), embedCode: $('embed-code'),
    embedW: $('embed-w'), embedH: $('embed-h'), theme: $('theme'), openFull: $('open-full'),
    viewCalc: $('view-calc'), viewPlan: $('view-plan'),
  };
}

function createApp() {
  const state = fromQuery(location.search);
  const app = {
    state,
    lang: state.lang || detectLang(navigator.languages || [navigator.language]),
    catalog: { models: [], gpus: [], formats: [], kv_cache_dtypes: [], engines: [] },
    el: elements(),
    last: null, // {request, result} of the last estimate drawn
    generation: 0, // bumped by each render: slow answers for an older one are dropped
    firstVerdict: false,
    timers: { frame: 0, url: 0, fit: 0, toast: 0 },
    charts: {}, // the export registry: context, concurrency, pareto
    pickers: {},
    planView: null, // the Planner view (planview.js), made when the Planner is first shown
    planViewLoading: null,
  };
  app.t = (key, params) => tr(app.lang, key, params);
  app.gb = (bytes) => formatGB(bytes, app.state.unit, app.lang);
  app.say = (text) => say(text, app.lang, app.state.unit);
  app.update = (patch) => update(app, patch);
  app.schedule = () => schedule(app);
  app.markStale = () => app.el.verdictCard.classList.add('stale');
  app.copy = (text) => copy(app, text);
  app.renderBars = (result, bars, legend) => renderBars(app, result, bars, legend);
  app.exportChart = (name, fmt) => exportChart(app, name, fmt);
  return app;
}

function coreErrorText(app, err) {
  const head = app.t(`err.${err.code || 'internal'}`);
  return app.lang === 'en' ? err.message : `${head} ${app.t('err_core_detail', { msg: err.message })}`;
}

/** A core error beside the input its field names (an engine option: beside that option, box opened). */
function showCoreError(app, e) {
  const msg = coreErrorText(app, e);
  const name = optionForField(e.field);
  if (name) {
    const engine = engineOf(app.catalog.engines, app.state.engine);
    const spec = engine && engine.options.find((o) => o.name === name || o.alias === name);
    if (!(spec && setError(`opt-${spec.name}`, msg))) setError('opts', msg);
    app.el.engineBox.open = true;
    return;
  }
  const input = inputForField(e.field);
  setError(input === 'model' && app.state.cfg ? 'cfg' : input, msg);
}

// ---------- state -> inputs ----------
function syncViewTabs(app) {
  const { el } = app;
  const plan = app.state.view === 'plan';
  document.body.classList.toggle('view-plan', plan);
  el.viewCalc.setAttribute('aria-selected', String(!plan));
  el.viewPlan.setAttribute('aria-selected', String(plan));
  el.viewCalc.tabIndex = plan ? -1 : 0;
  el.viewPlan.tabIndex = plan ? 0 : -1;
  const heading = $('inputs-h');
  heading.dataset.i18n = plan ? 'plan_inputs' : 'inputs';
  heading.textContent = app.t(heading.dataset.i18n);
}

function syncPrefs(app) {
  $('lang-en').setAttribute('aria-pressed', String(app.lang === 'en'));
  $('lang-zh').setAttribute('aria-pressed', String(app.lang === 'zh'));
  $('unit-GB').setAttribute('aria-pressed', String(app.state.unit === 'GB'));
  $('unit-GiB').setAttribute('aria-pressed', String(app.state.unit === 'GiB'));
  app.el.theme.value = app.state.theme;
}

function syncInputs(app) {
  const { el, state } = app;
  const idle = (input) => document.activeElement !== input;
  app.pickers.model.setValue(state.model);
  app.pickers.gpu.setValue(state.gpu);
  const configMode = !!state.cfg || document.activeElement === el.cfg;
  selectTab(app, configMode || (!el.paneConfig.hidden && el.cfg.value.trim() !== '') ? 'config' : 'catalog', false);
  if (state.cfg && idle(el.cfg) && !el.cfg.value.trim()) el.cfg.value = JSON.stringify(JSON.parse(state.cfg), null, 2);
  el.weights.value = state.weights;
  el.kv.value = state.kv;
  el.engine.value = state.engine;
  if (idle(el.context)) el.context.value = String(state.context);
  if (idle(el.concurrency)) el.concurrency.value = String(state.concurrency);
  el.memField.hidden = state.gpu !== 'custom';
  if (idle(el.mem)) el.mem.value = state.mem ? String(state.mem) : '';
  if (idle(el.count)) el.count.value = String(state.count);
  if (idle(el.tp)) el.tp.value = state.tp ? String(state.tp) : '';
  el.tp.placeholder = `${app.t('tp_auto')} (${effectiveTP(state)})`;
  if (idle(el.pp)) el.pp.value = String(state.pp);
  for (const b of document.querySelectorAll('.chips button')) b.setAttribute('aria-pressed', String(state[b.parentElement.dataset.for] === Number(b.dataset.v)));
  syncOptions(app);
  syncPrefs(app);
  syncViewTabs(app);
  if (app.planView) app.planView.syncInputs();
}

function applyTheme(app) {
  const dark = app.state.theme ? app.state.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.documentElement.dataset.themeResolved = dark ? 'dark' : 'light';
}

// ---------- the main render ----------
function schedule(app) {
  if (!app.timers.frame) {
    app.timers.frame = requestAnimationFrame(() => {
      app.timers.frame = 0;
      render(app);
    });
  }
}

function writeURL(app) {
  clearTimeout(app.timers.url);
  app.timers.url = setTimeout(() => {
    const q = toQuery(app.state);
    if (q !== location.search) history.replaceState(null, '', q + location.hash);
    updateEmbed(app);
  }, 150);
}

function render(app) {
  const t0 = performance.now();
  try {
    renderNow(app);
  } finally {
    performance.measure('vramplan:render', { start: t0, end: performance.now() });
  }
}

/** The estimate of the current state, or null (its error shown beside the input at fault). */
function estimateNow(app) {
  const engine = engineOf(app.catalog.engines, app.state.engine);
  let request;
  try {
    request = toRequest(app.state, engine ? engine.options : []);
  } catch (e) {
    setError('cfg', app.t('config_bad_json', { msg: e.message }));
    return null;
  }
  try {
    return { request, result: core.estimate(request) };
  } catch (e) {
    if (!(e instanceof core.VramplanError)) throw e;
    showCoreError(app, e);
    return null;
  }
}

/** Aliases in a link ("h100", "llama-3-70b", "llamacpp") become the catalog ids, so the pickers show names. */
function adoptIds(app, result) {
  const { state } = app;
  const rq = result.request;
  if (!state.cfg && result.model && result.model.id && result.model.id !== state.model) state.model = result.model.id;
  if (state.gpu !== 'custom' && rq.gpu && rq.gpu !== 'none' && rq.gpu !== state.gpu) state.gpu = rq.gpu;
  if (rq.engine && rq.engine !== state.engine && engineOf(app.catalog.engines, rq.engine)) {
    state.engine = rq.engine;
    renderEngine(app);
  }
  if (document.activeElement !== app.el.model) app.pickers.model.setValue(state.model);
  if (document.activeElement !== app.el.gpu) app.pickers.gpu.setValue(state.gpu);
}

function renderNow(app) {
  app.generation += 1;
  clearErrors();
  if (app.state.view === 'plan') {
    if (app.planView) app.planView.show();
    else loadPlanView(app);
    writeURL(app);
    return;
  }
  const answer = estimateNow(app);
  if (!answer) {
    app.markStale();
    // A link whose first request the core refuses: say where to look instead of "Loading…" forever.
    if (!app.last) app.el.verdict.textContent = app.t('fix_input');
    writeURL(app);
    return;
  }
  const { request, result } = answer;
  adoptIds(app, result);
  const ownBefore = app.last && app.last.result.weights.format;
  app.last = answer;
  app.el.verdictCard.classList.remove('stale');
  if (!app.state.weights && result.weights.format !== ownBefore) {
    const o = app.el.weights.querySelector('option[value=""]');
    if (o) o.textContent = app.t('weights_default', { fmt: result.weights.format });
  }
  renderVerdict(app, result);
  renderBars(app, result);
  if (!app.firstVerdict) {
    app.firstVerdict = true;
    performance.mark('vramplan:first-verdict');
  }
  if (!app.state.embed) renderDetails(app, request, result);
  writeURL(app);
}

/** planview.js (and what only it uses) is a chunk of its own, fetched the first time the Planner is shown:
 * a visit to the calculator never downloads it. The single-file build has it inlined. */
function loadPlanView(app) {
  if (!app.planViewLoading) {
    app.planViewLoading = import('./planview.js').then(({ createPlanView }) => {
      app.planView = createPlanView(app);
      if (app.catalog.gpus.length) app.planView.setCatalog();
      syncInputs(app);
      schedule(app);
    }, (e) => {
      app.planViewLoading = null; // offline before the chunk was cached: try again on the next render
      $('plan-verdict').textContent = `${app.t('err.internal')} ${e && e.message ? e.message : e}`;
      $('plan-verdict').className = 'verdict bad';
    });
  }
  return app.planViewLoading;
}

function setView(app, view, focus = false) {
  app.state.view = view;
  syncInputs(app);
  if (focus) (view === 'plan' ? app.el.viewPlan : app.el.viewCalc).focus();
  schedule(app);
}

// ---------- inputs -> state ----------
function update(app, patch) {
  Object.assign(app.state, patch);
  if ('unit' in patch) withTexts(app);
  syncInputs(app);
  schedule(app);
}

/** Loads what the language and unit need (on demand), then draws again; a chunk that cannot load: English. */
function withTexts(app) {
  return loadLanguage(app.lang, app.state.unit).catch(() => {
    if (app.lang === 'zh') setLang(app, 'en');
    toast(app, app.t('lang_failed'));
  }).then(() => schedule(app));
}

function intInput(app, input, key, { min = 1, allowEmpty = false } = {}) {
  input.addEventListener('input', () => {
    const raw = input.value.trim();
    if (allowEmpty && raw === '') return app.update({ [key]: 0 });
    const v = parseCount(raw);
    if (!Number.isInteger(v) || v < min) {
      setError(key, app.t('err_positive'));
      app.markStale();
      return;
    }
    setError(key, '');
    app.update({ [key]: v });
  });
  input.addEventListener('blur', () => syncInputs(app));
}

function selectTab(app, which, focus = true) {
  const { el } = app;
  const cfg = which === 'config';
  el.tabCatalog.setAttribute('aria-selected', String(!cfg));
  el.tabConfig.setAttribute('aria-selected', String(cfg));
  el.tabCatalog.tabIndex = cfg ? -1 : 0;
  el.tabConfig.tabIndex = cfg ? 0 : -1;
  el.paneCatalog.hidden = cfg;
  el.paneConfig.hidden = !cfg;
  if (focus) (cfg ? el.tabConfig : el.tabCatalog).focus();
}

function onConfigText(app) {
  const text = app.el.cfg.value.trim();
  if (!text) {
    setError('cfg', '');
    return app.update({ cfg: '' });
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    setError('cfg', app.t('config_bad_json', { msg: e.message }));
    app.markStale();
    return;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    setError('cfg', app.t('config_not_object'));
    app.markStale();
    return;
  }
  app.update({ cfg: JSON.stringify(obj) });
}

function onEngine(app) {
  const id = app.el.engine.value;
  const engine = engineOf(app.catalog.engines, id);
  const kv = engine && !engine.kv_cache_dtypes.includes(app.state.kv) ? 'auto' : app.state.kv;
  Object.assign(app.state, { engine: id, opts: keepOptions(engine, app.state.opts), kv });
  renderEngine(app);
  app.update({});
}

function wireModel(app) {
  const { el } = app;
  el.tabCatalog.addEventListener('click', () => selectTab(app, 'catalog'));
  el.tabConfig.addEventListener('click', () => selectTab(app, 'config'));
  for (const tab of [el.tabCatalog, el.tabConfig]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') selectTab(app, tab === el.tabCatalog ? 'config' : 'catalog');
    });
  }
  el.cfg.addEventListener('input', () => onConfigText(app));
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
      onConfigText(app);
    }
  });
  $('cfg-template').addEventListener('click', () => {
    el.cfg.value = JSON.stringify(CONFIG_TEMPLATE, null, 2);
    onConfigText(app);
  });
  $('cfg-clear').addEventListener('click', () => {
    el.cfg.value = '';
    app.update({ cfg: '' });
    selectTab(app, 'catalog');
  });
}

function wireDeployment(app) {
  const { el } = app;
  const none = () => app.t('search_none');
  app.pickers.model = new Picker(el.model, el.modelList, { onPick: (id) => app.update({ model: id, cfg: '' }), noneText: none });
  app.pickers.gpu = new Picker(el.gpu, el.gpuList, { onPick: (id) => app.update({ gpu: id, mem: id === 'custom' && !app.state.mem ? 80 : app.state.mem }), noneText: none });
  el.weights.addEventListener('change', () => app.update({ weights: el.weights.value }));
  el.kv.addEventListener('change', () => app.update({ kv: el.kv.value }));
  el.engine.addEventListener('change', () => onEngine(app));
  intInput(app, el.context, 'context');
  intInput(app, el.concurrency, 'concurrency');
  intInput(app, el.count, 'count');
  intInput(app, el.tp, 'tp', { allowEmpty: true });
  intInput(app, el.pp, 'pp');
  el.mem.addEventListener('input', () => {
    const v = Number(el.mem.value.replace(',', '.'));
    if (!(v > 0)) {
      setError('mem', app.t('err_positive'));
      app.markStale();
      return;
    }
    app.update({ mem: v });
  });
  for (const b of document.querySelectorAll('.chips button')) b.addEventListener('click', () => app.update({ [b.parentElement.dataset.for]: Number(b.dataset.v) }));
}

function wireViews(app) {
  const { el } = app;
  el.viewCalc.addEventListener('click', () => setView(app, ''));
  el.viewPlan.addEventListener('click', () => setView(app, 'plan'));
  for (const tab of [el.viewCalc, el.viewPlan]) {
    tab.addEventListener('keydown', (e) => {
      if (['ArrowRight', 'ArrowLeft', 'Home', 'End'].includes(e.key)) {
        e.preventDefault();
        setView(app, tab === el.viewCalc ? 'plan' : '', true);
      }
    });
  }
  window.addEventListener('popstate', () => {
    app.state = fromQuery(location.search);
    renderEngine(app);
    syncInputs(app);
    schedule(app);
  });
}

function wirePrefs(app) {
  const { el } = app;
  $('lang-en').addEventListener('click', () => setLang(app, 'en'));
  $('lang-zh').addEventListener('click', () => setLang(app, 'zh'));
  $('unit-GB').addEventListener('click', () => app.update({ unit: 'GB' }));
  $('unit-GiB').addEventListener('click', () => app.update({ unit: 'GiB' }));
  el.theme.addEventListener('change', () => {
    app.state.theme = el.theme.value;
    applyTheme(app);
    schedule(app);
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    applyTheme(app);
    schedule(app);
  });
}

function wireExports(app) {
  const { el } = app;
  $('copy-link').addEventListener('click', () => app.copy(location.href.split('?')[0] + toQuery(app.state)));
  $('copy-md').addEventListener('click', () => app.last && app.copy(markdownTable(app.last.result, { lang: app.lang, unit: app.state.unit, t: app.t })));
  $('copy-json').addEventListener('click', () => {
    const p = app.state.view === 'plan' ? app.planView && app.planView.current() : app.last;
    if (p) app.copy(JSON.stringify({ request: p.request, result: p.result }, null, 2));
  });
  el.embedW.addEventListener('input', () => updateEmbed(app));
  el.embedH.addEventListener('input', () => updateEmbed(app));
  el.embedCode.addEventListener('focus', () => el.embedCode.select());
  for (const b of document.querySelectorAll('[data-export]')) {
    b.addEventListener('click', () => app.exportChart(...b.dataset.export.split(':')));
    b.setAttribute('aria-label', app.t('export_chart', { chart: '', fmt: b.textContent }));
  }
}

/** Switches the page's language once what it needs has loaded (the Chinese chunk, on demand). */
async function setLang(app, lang) {
  if (lang !== 'en') {
    try {
      await loadLanguage(lang, app.state.unit);
    } catch {
      toast(app, app.t('lang_failed'));
      return;
    }
  }
  app.lang = lang;
  app.state.lang = lang;
  applyLang(app);
  withTexts(app);
}

function applyLang(app) {
  applyTranslations(document, app.lang);
  fillSelects(app);
  refreshPickerItems(app);
  if (app.planView) app.planView.fillChoices();
  syncInputs(app);
  schedule(app);
}

async function copy(app, text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(app, app.t('copied'));
  } catch {
    toast(app, app.t('copy_failed'));
  }
}

function toast(app, msg) {
  app.el.toast.textContent = msg;
  clearTimeout(app.timers.toast);
  app.timers.toast = setTimeout(() => (app.el.toast.textContent = ''), 2500);
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

async function exportChart(app, name, fmt) {
  const c = app.charts[name];
  if (!c) return;
  const titles = { context: 'chart_context', concurrency: 'chart_concurrency', pareto: 'pareto_title' };
  const subject = name === 'pareto' ? (app.planView && app.planView.modelName()) || '' : app.last ? app.last.result.model.name || '' : '';
  const svg = c.toSVG(`${app.t(titles[name])} — ${subject}`);
  const base = `vramplan-${name}`;
  if (fmt === 'svg') download(new Blob([svg], { type: 'image/svg+xml' }), `${base}.svg`);
  else download(await svgToPNG(svg), `${base}.png`);
}

function pageURL() {
  return location.protocol === 'file:' ? 'https://vramplan.github.io/vramplan/' : location.href.split(/[?#]/)[0];
}

function updateEmbed(app) {
  const { el, state } = app;
  el.embedCode.value = embedSnippet(pageURL(), { ...state, embed: false }, el.embedW.value, Number(el.embedH.value) || 360, app.lang);
  el.openFull.href = pageURL() + toQuery({ ...state, embed: false });
}

// ---------- catalogs into the inputs ----------
const FORMAT_GROUPS = [
  ['Float', (f) => /^(fp32|fp16|bf16)$/.test(f)], ['FP8 / INT8', (f) => /^(fp8|int8)/.test(f)],
  ['4-bit / GPTQ / AWQ / bnb', (f) => /^(gptq|awq|nf4|fp4|mxfp4|nvfp4)/.test(f)], ['GGUF (llama.cpp)', (f) => f.startsWith('gguf-')],
];

function fillSelects(app) {
  const { el, state } = app;
  const own = app.last && !state.weights ? app.last.result.weights.format : '';
  el.weights.textContent = '';
  el.weights.append(h('option', { value: '', text: own ? app.t('weights_default', { fmt: own }) : app.t('weights_default_plain') }));
  for (const [label, test] of FORMAT_GROUPS) {
    const og = h('optgroup', { label });
    for (const f of app.catalog.formats.filter(test)) og.append(h('option', { value: f, text: f }));
    el.weights.append(og);
  }
  el.weights.value = state.weights;
  renderEngine(app);
}

function refreshPickerItems(app) {
  const { catalog, state } = app;
  app.pickers.model.setItems(catalog.models.map((m) => ({ id: m.id, label: m.name, detail: m.id, search: `${m.id} ${m.name} ${m.family} ${m.aliases.join(' ')}` })));
  const gpus = catalog.gpus.map((g) => ({ id: g.id, label: g.name, detail: `${formatGB(g.capacity_bytes, state.unit, app.lang)} · ${g.vendor}`, search: `${g.id} ${g.name} ${g.vendor} ${g.aliases.join(' ')}` }));
  gpus.push({ id: 'custom', label: app.t('gpu_custom'), detail: '', search: 'custom 自定义', always: true });
  app.pickers.gpu.setItems(gpus);
}

// ---------- start ----------
async function boot(app) {
  applyTheme(app);
  if (app.state.embed) app.state.view = ''; // embed mode shows the calculator's verdict and bars only
  document.body.classList.toggle('embed', app.state.embed);
  wireModel(app);
  wireDeployment(app);
  wireViews(app);
  wirePrefs(app);
  wireExports(app);
  // A Chinese page fetches its chunk in parallel with the wasm; an English one needs none.
  const texts = loadLanguage(app.lang, app.state.unit).catch(() => {
    app.lang = 'en';
    toast(app, app.t('lang_failed'));
  });
  syncInputs(app);
  performance.mark('vramplan:start');
  await Promise.all([core.load(), texts]);
  applyTranslations(document, app.lang);
  syncInputs(app);
  performance.mark('vramplan:wasm');
  // The verdict needs no catalog: answer first, then fill the pickers and lists.
  render(app);
  Object.assign(app.catalog, core.catalog());
  performance.mark('vramplan:catalog');
  fillSelects(app);
  refreshPickerItems(app);
  if (app.planView) app.planView.setCatalog();
  syncInputs(app);
  schedule(app); // what needed the catalog: the engine's options, the GPUs that fit
  document.body.classList.add('ready');
  if ('serviceWorker' in navigator && location.protocol.startsWith('http') && !document.getElementById('vramplan-wasm')) {
    navigator.serviceWorker.register('sw.js').catch(() => {});
    navigator.serviceWorker.ready.then(offerChunks);
  }
}

/** The chunks fetched before the service worker took over (a Chinese first visit's texts), for its cache. */
function offerChunks(registration) {
  const base = new URL('.', document.baseURI).href;
  const files = performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.startsWith(`${base}chunks/`)).map((u) => u.slice(base.length));
  if (registration.active && files.length) registration.active.postMessage({ cache: files });
}

/** Makes the app object and runs the page; a failure to start shows in the verdict. */
function start() {
  const app = createApp();
  boot(app).catch((e) => {
    app.el.verdict.textContent = `${app.t('err.internal')} ${e && e.message ? e.message : e}`;
    app.el.verdict.className = 'verdict bad';
  });
}

start();
