// vramplan.js — the ES-module face of the WebAssembly core.
//
//   import { init, estimate, sweep, catalog, VramplanError } from './vramplan.js';
//   await init();                                   // once; options pass through to Emscripten
//   const result = estimate({ model: 'Qwen/QwQ-32B', workload: { context_tokens: 16000 } });
//
// Requests and results are the JSON objects of API.md; they cross the boundary as JSON text (the
// module's embind functions take and return std::string; embind copies the UTF-8 both ways). Every
// function returns the parsed result or throws one VramplanError whose `.error` is the core's
// {code, field, message}. Bad input never aborts the module, and an unexpected trap (a bug) only
// costs the call that hit it: the instance is rebuilt before the next call.
import createVramplanCore from './vramplan_core.js';

export class VramplanError extends Error {
  constructor(error) {
    super(error && error.message ? error.message : String(error));
    this.name = 'VramplanError';
    this.error = { code: 'internal', field: '', message: this.message, ...(error || {}) };
    this.code = this.error.code;
    this.field = this.error.field;
  }
}

let core = null; // {estimate, sweep, catalog, fit?, perf?, plan?, train?}: the instance's text -> text functions
let loading = null; // the promise of the instance being built
let lastOptions = {};

/** Builds the instance. `options` go to Emscripten (e.g. {wasmBinary} in node or in the single-file page). */
export function init(options = {}) {
  if (core) return Promise.resolve(api);
  if (!loading) {
    lastOptions = options;
    loading = createVramplanCore({ ...options }).then((m) => {
      core = exportsOf(m);
      loading = null;
      return api;
    }, (e) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

const NAMES = ['estimate', 'sweep', 'catalog', 'fit', 'perf', 'plan', 'train'];

/** The module's embind functions (text -> text), only those this build has: the core has no train yet. */
function exportsOf(m) {
  const out = {};
  for (const name of NAMES) {
    if (typeof m[name] === 'function') out[name] = m[name];
  }
  return out;
}

export function ready() {
  return core !== null;
}

function call(name, request) {
  if (!core) {
    throw new VramplanError({ code: 'internal', field: '', message: 'vramplan: call init() and await it first' });
  }
  const fn = core[name];
  if (typeof fn !== 'function') {
    throw new VramplanError({ code: 'unsupported', field: '', message: `this build of the core has no ${name}()` });
  }
  const text = typeof request === 'string' ? request : JSON.stringify(request);
  let out;
  try {
    out = fn(text);
  } catch (e) {
    // A trap means a bug in the core; drop this instance so the next init()/call gets a fresh one.
    core = null;
    init(lastOptions).catch(() => {});
    throw new VramplanError({ code: 'internal', field: '', message: `vramplan core trapped: ${e && e.message ? e.message : e}` });
  }
  const result = JSON.parse(out);
  if (result && typeof result === 'object' && result.error && Object.keys(result).length === 1) {
    throw new VramplanError(result.error);
  }
  return result;
}

/** Memory for one deployment (API.md "Estimate request"). */
export function estimate(request) {
  return call('estimate', request);
}

/** The request evaluated at each value of `axis` ('context_tokens' | 'concurrency') in one call. */
export function sweep(request, axis, values) {
  return call('sweep', { request, axis, values });
}

/** The catalogs: {models, gpus, formats, kv_cache_dtypes, engines}; `which` = 'models' | 'gpus' | 'formats' | 'engines' | '' (all). */
export function catalog(which = '') {
  return call('catalog', String(which));
}

/** Inverse questions (max context, max concurrency, GPUs that fit …). */
export function fit(request) {
  return call('fit', request);
}

/** One deployment under a load: TTFT, TPOT, throughput (API.md "Perf request and result"). */
export function perf(request) {
  return call('perf', request);
}

/** Ranked deployment plans (API.md "Plan request"). */
export function plan(request) {
  return call('plan', request);
}

/** Training / fine-tuning memory: throws VramplanError `unsupported` until the core has train_text. */
export function train(request) {
  return call('train', request);
}

/** Which optional entry points this build has, e.g. {fit: true, plan: true, train: false}. */
export function capabilities() {
  return {
    fit: !!(core && core.fit),
    perf: !!(core && core.perf),
    plan: !!(core && core.plan),
    train: !!(core && core.train),
  };
}

const api = { init, ready, estimate, sweep, catalog, fit, perf, plan, train, capabilities, VramplanError };
export default api;
