// The page's whole state, its URL form and the core request it makes. The URL is the source of
// truth: every input maps to one query parameter, and defaults are left out so links stay short.
// Pure functions (no DOM), tested in tests/js/state.test.js.

export const DEFAULTS = Object.freeze({
  model: 'meta-llama/Meta-Llama-3-8B',
  cfg: '', // a pasted config.json (compact JSON); when set it replaces `model`
  weights: '', // '' = the model's own dtype
  kv: 'auto',
  engine: 'generic',
  context: 8192,
  concurrency: 1,
  gpu: 'nvidia-rtx-4090',
  mem: 0, // custom GPU memory in GB (10^9 B) when gpu === 'custom'
  count: 1,
  tp: 0, // 0 = auto: count / pp
  pp: 1,
  opts: {}, // engine_options overrides, e.g. {max_batched_tokens: 4096}
  lang: '', // '' = from the browser
  unit: 'GB',
  theme: '', // '' = the system's
  embed: false,
  // The Planner view (view=plan): workload, targets, candidate hardware, formats, engine.
  view: '', // '' = the memory calculator, 'plan' = the planner
  load: 'qps', // the workload is given as 'qps' (requests/s) or 'users' (concurrent requests)
  qps: 10,
  users: 64,
  prompt: 1000, // tokens per request
  output: 500,
  ttft: 2000, // ms; 0 = no target
  tpot: 100, // ms; 0 = no target
  minTps: 0, // output tokens/s in all; 0 = no target
  vendors: [], // [] = every vendor
  minMem: 0, // GB per GPU; 0 = any
  gpus: [], // a chosen list of GPU ids; [] = the whole (filtered) catalog
  maxGpus: 64,
  maxCost: 0, // USD per hour; 0 = no budget
  prices: [], // price overrides as 'gpu:USD per GPU-hour' items; [] = the catalog's indicative prices
  formats: ['bf16', 'fp8'], // allowed weight formats; [] = the model's own
  kvs: ['auto'], // allowed KV cache dtypes
  pengine: 'vllm',
});

// Engine ids: the catalog's list (catalog('engines')) is the authority; the URL only has to look like one.
const ENGINE_ID = /^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$/;
// Plan parameters: state key -> [URL name, kind]; numbers are non-negative, lists comma-separated ids.
const PLAN_PARAMS = [
  ['qps', 'qps', 'num'], ['users', 'users', 'int'], ['prompt', 'prompt', 'int'], ['output', 'output', 'int'],
  ['ttft', 'ttft', 'num'], ['tpot', 'tpot', 'num'], ['minTps', 'min_tps', 'num'], ['minMem', 'min_mem', 'num'],
  ['maxGpus', 'max_gpus', 'int'], ['maxCost', 'max_cost', 'num'],
  ['vendors', 'vendors', 'list'], ['gpus', 'gpus', 'list'], ['formats', 'formats', 'list'], ['kvs', 'kvs', 'list'],
  ['prices', 'prices', 'prices'],
];

/** 'h100:2.2, a100:1.4' -> ['h100:2.2', 'a100:1.4'], or null when an item is malformed. */
export function parsePrices(text) {
  const items = String(text).split(',').map((x) => x.trim().replace(/\s*[:=]\s*/, ':')).filter((x) => x !== '');
  if (items.length > 64) return null;
  return items.every((x) => /^[A-Za-z0-9_.\-]{1,64}:\d{1,6}(\.\d{1,4})?$/.test(x)) ? items : null;
}

const INT_KEYS = ['context', 'concurrency', 'count', 'tp', 'pp'];
const STR_KEYS = ['model', 'weights', 'kv', 'engine', 'gpu'];

export function clone(state) {
  return { ...state, opts: { ...state.opts }, vendors: [...state.vendors], gpus: [...state.gpus], formats: [...state.formats], kvs: [...state.kvs], prices: [...state.prices] };
}

function b64urlEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlDecode(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Parses a query string ("?model=…&gpu=…") into a complete state; unknown or bad values fall back to defaults. */
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const s = clone(DEFAULTS);
  for (const k of STR_KEYS) {
    const v = q.get(k);
    if (v !== null && v.length <= 200) s[k] = v.trim();
  }
  for (const k of INT_KEYS) {
    const v = q.get(k);
    if (v !== null && /^\d{1,9}$/.test(v.trim())) s[k] = Number(v.trim());
  }
  const mem = q.get('mem');
  if (mem !== null && Number.isFinite(Number(mem)) && Number(mem) > 0) s.mem = Number(mem);
  const cfg = q.get('cfg');
  if (cfg) {
    try {
      s.cfg = JSON.stringify(JSON.parse(b64urlDecode(cfg)));
    } catch {
      s.cfg = '';
    }
  }
  for (const [k, v] of q) {
    if (k.startsWith('o.') && /^[a-z0-9_]{1,64}$/.test(k.slice(2)) && v !== '') {
      const n = Number(v);
      s.opts[k.slice(2)] = Number.isFinite(n) ? n : v === 'true' ? true : v === 'false' ? false : v;
    }
  }
  const lang = q.get('lang');
  if (lang === 'zh' || lang === 'en') s.lang = lang;
  const unit = q.get('unit');
  if (unit === 'GB' || unit === 'GiB') s.unit = unit;
  const theme = q.get('theme');
  if (theme === 'light' || theme === 'dark') s.theme = theme;
  s.embed = q.get('embed') === '1' || q.get('embed') === 'true';
  if (q.get('view') === 'plan') s.view = 'plan';
  if (q.get('load') === 'users') s.load = 'users';
  const pe = q.get('pengine');
  if (pe !== null && ENGINE_ID.test(pe)) s.pengine = pe;
  for (const [key, name, kind] of PLAN_PARAMS) {
    const v = q.get(name);
    if (v === null) continue;
    const text = v.trim();
    if (kind === 'prices') {
      const items = parsePrices(text);
      if (items) s[key] = items;
    } else if (kind === 'list') {
      const items = text === '' ? [] : text.split(',').map((x) => x.trim());
      if (items.length <= 64 && items.every((x) => /^[A-Za-z0-9_.\-]{1,64}$/.test(x))) s[key] = [...new Set(items)];
    } else if (kind === 'int' ? /^\d{1,9}$/.test(text) : /^\d{1,12}(\.\d{1,6})?$/.test(text)) {
      s[key] = Number(text);
    }
  }
  if (s.maxGpus < 1) s.maxGpus = DEFAULTS.maxGpus;
  return s;
}

/** The query string for a state (defaults left out; `model` and `gpu` always written so links are explicit). */
export function toQuery(state, { keepLang = true } = {}) {
  const q = new URLSearchParams();
  if (state.cfg) q.set('cfg', b64urlEncode(state.cfg));
  else q.set('model', state.model);
  // The calculator's hardware and workload are always written in its view (explicit links), and only
  // when changed in the planner's.
  const calc = state.view !== 'plan';
  if (calc || state.gpu !== DEFAULTS.gpu) q.set('gpu', state.gpu);
  if (state.gpu === 'custom' && state.mem > 0) q.set('mem', String(state.mem));
  for (const k of ['count', 'tp', 'pp', 'context', 'concurrency']) {
    if (state[k] !== DEFAULTS[k] || (calc && (k === 'context' || k === 'concurrency' || k === 'count'))) q.set(k, String(state[k]));
  }
  for (const k of ['weights', 'kv', 'engine']) if (state[k] && state[k] !== DEFAULTS[k]) q.set(k, state[k]);
  for (const k of Object.keys(state.opts).sort()) q.set(`o.${k}`, String(state.opts[k]));
  if (keepLang && state.lang) q.set('lang', state.lang);
  if (state.unit !== DEFAULTS.unit) q.set('unit', state.unit);
  if (state.theme) q.set('theme', state.theme);
  if (state.embed) q.set('embed', '1');
  if (state.view === 'plan') q.set('view', 'plan');
  if (state.load === 'users') q.set('load', 'users');
  if (state.pengine !== DEFAULTS.pengine) q.set('pengine', state.pengine);
  for (const [key, name, kind] of PLAN_PARAMS) {
    const v = state[key];
    const active = state.view === 'plan' && key === state.load; // the workload figure is always written in the planner
    const isList = kind === 'list' || kind === 'prices';
    if (isList ? v.join(',') !== DEFAULTS[key].join(',') : v !== DEFAULTS[key] || active) q.set(name, isList ? v.join(',') : String(v));
  }
  return `?${q.toString().replace(/%2C/g, ',')}`;
}

/** Tensor parallelism in effect: explicit, or auto = count / pp (whole number). */
export function effectiveTP(state) {
  if (state.tp > 0) return state.tp;
  const pp = Math.max(1, state.pp || 1);
  return Math.max(1, Math.floor(Math.max(1, state.count) / pp));
}

/**
 * An engine option's value as the core takes it, from the state (where the URL left it a number, a
 * boolean or a string): a number_list "0.6, 0.4" becomes [0.6, 0.4], a boolean "true" true.
 * `spec` is the option's entry in catalog('engines'); without it the value goes as it is.
 */
export function optionValue(spec, v) {
  if (!spec) return v;
  // A release the URL left a number (o.engine_version=2.0 reads as 2): the choice it names, as the catalog spells it.
  if (spec.type === 'choice' && typeof v === 'number') return spec.choices.find((c) => Number(c) === v) ?? String(v);
  if (spec.type === 'number_list') return String(v).split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  if (spec.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  if ((spec.type === 'integer' || spec.type === 'number' || spec.type === 'layers') && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
}

/**
 * The core's estimate request (API.md) for a state; throws SyntaxError for a malformed pasted config.
 * `options`: the chosen engine's option specs (catalog('engines')), to send each value as its type.
 */
export function toRequest(state, options = []) {
  const req = {};
  req.model = state.cfg ? { config: JSON.parse(state.cfg) } : state.model;
  if (state.weights) req.weights = state.weights;
  req.kv_cache_dtype = state.kv || 'auto';
  req.engine = state.engine || 'generic';
  if (Object.keys(state.opts).length) {
    const spec = (name) => options.find((o) => o.name === name || o.alias === name);
    req.engine_options = Object.fromEntries(Object.entries(state.opts).map(([k, v]) => [k, optionValue(spec(k), v)]));
  }
  req.workload = { context_tokens: state.context, concurrency: state.concurrency };
  const gpu = state.gpu === 'custom' ? { name: 'custom', memory_bytes: Math.round((state.mem || 0) * 1e9) } : state.gpu;
  req.hardware = { gpu, count: state.count, tensor_parallel: effectiveTP(state), pipeline_parallel: state.pp || 1 };
  return req;
}

/** The core's plan request (API.md "Plan request") for a state; throws SyntaxError for a malformed pasted config. */
export function toPlanRequest(state) {
  const req = {};
  req.model = state.cfg ? { config: JSON.parse(state.cfg) } : state.model;
  const workload = state.load === 'users' ? { concurrency: state.users } : { qps: state.qps };
  req.workload = { ...workload, prompt_tokens: state.prompt, output_tokens: state.output };
  const slo = {};
  if (state.ttft > 0) slo.ttft_ms = state.ttft;
  if (state.tpot > 0) slo.tpot_ms = state.tpot;
  if (state.minTps > 0) slo.min_output_tokens_per_s = state.minTps;
  if (Object.keys(slo).length) req.slo = slo;
  const candidates = { max_gpus: state.maxGpus };
  if (state.gpus.length) candidates.gpus = [...state.gpus];
  else {
    if (state.vendors.length) candidates.vendors = [...state.vendors];
    if (state.minMem > 0) candidates.min_memory_gb = state.minMem;
  }
  if (state.maxCost > 0) candidates.max_cost_per_hour = state.maxCost;
  if (state.prices.length)
    candidates.prices = Object.fromEntries(state.prices.map((x) => { const i = x.lastIndexOf(':'); return [x.slice(0, i), Number(x.slice(i + 1))]; }));
  req.candidates = candidates;
  if (state.formats.length) req.weights = [...state.formats];
  if (state.kvs.length) req.kv_cache_dtypes = [...state.kvs];
  req.engine = state.pengine;
  return req;
}

/** Which planner input an error's `field` belongs to ("slo.ttft_ms" -> "ttft"). */
export function planInputForField(field = '') {
  const f = String(field);
  const table = [
    ['model.config', 'cfg'], ['model', 'model'], ['workload.qps', 'qps'], ['workload.concurrency', 'users'],
    ['workload.prompt_tokens', 'prompt'], ['workload.output_tokens', 'output'], ['workload', 'qps'],
    ['slo.ttft_ms', 'ttft'], ['slo.tpot_ms', 'tpot'], ['slo.min_output_tokens_per_s', 'minTps'], ['slo', 'ttft'],
    ['candidates.gpus', 'gpus'], ['candidates.vendors', 'gpus'], ['candidates.min_memory_gb', 'minMem'],
    ['candidates.max_gpus', 'maxGpus'], ['candidates.max_cost_per_hour', 'maxCost'], ['candidates.prices', 'prices'], ['candidates', 'gpus'],
    ['weights', 'formats'], ['kv_cache_dtypes', 'kvs'], ['engine', 'pengine'],
  ];
  for (const [prefix, input] of table) if (f === prefix || f.startsWith(`${prefix}.`) || f.startsWith(`${prefix}[`)) return input;
  return 'model';
}

/** The engine option an error's `field` names ("engine_options.n_ctx" -> "n_ctx"), or ''. */
export function optionForField(field = '') {
  const m = /^engine_options\.([a-z0-9_]+)/.exec(String(field));
  return m ? m[1] : '';
}

/** Which input an error's `field` belongs to ("workload.context_tokens" -> "context"). */
export function inputForField(field = '') {
  const f = String(field);
  const table = [
    ['model.config', 'cfg'],
    ['model', 'model'],
    ['weights', 'weights'],
    ['kv_cache_dtype', 'kv'],
    ['engine_options', 'opts'],
    ['engine', 'engine'],
    ['workload.context_tokens', 'context'],
    ['workload.concurrency', 'concurrency'],
    ['hardware.gpu', 'gpu'],
    ['hardware.count', 'count'],
    ['hardware.tensor_parallel', 'tp'],
    ['hardware.pipeline_parallel', 'pp'],
    ['hardware', 'gpu'],
    ['workload', 'context'],
  ];
  for (const [prefix, input] of table) if (f === prefix || f.startsWith(`${prefix}.`) || f.startsWith(`${prefix}[`)) return input;
  return 'model';
}
