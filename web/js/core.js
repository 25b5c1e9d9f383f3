// Owns the WebAssembly instance: loading it (from the site, or from the base64 text inlined in the
// single-file build), and the questions the page asks of it. Nothing else touches the module.
import * as vp from './vramplan.js';

export const VramplanError = vp.VramplanError;

export async function load() {
  const inline = typeof document !== 'undefined' && document.getElementById('vramplan-wasm');
  const options = {};
  if (inline && inline.textContent.trim()) {
    const bin = atob(inline.textContent.trim());
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    options.wasmBinary = bytes;
  } else if (typeof document !== 'undefined') {
    // Beside index.html, wherever the bundler put this module (a shared chunk lives in chunks/).
    options.locateFile = (file) => new URL(file, document.baseURI).href;
  }
  await vp.init(options);
}

export const estimate = (req) => vp.estimate(req);
export const sweep = (req, axis, values) => vp.sweep(req, axis, values);
export const catalog = () => vp.catalog();
// The page's own module may lack the planner (the split site loads vramplan_calc on its thread): the
// Planner is there wherever its worker (with the whole core) can start.
export const capabilities = () => {
  const own = vp.capabilities();
  return { ...own, plan: own.plan || !noWorker };
};
export const fit = (req) => vp.fit(req);
export const plan = (req) => vp.plan(req);

// The planner runs in a Web Worker (worker.js, its own module instance) so the page stays responsive;
// where no worker can start (file://, the single-file build) it runs here, after the current frame.
let worker = null;
let noWorker = typeof Worker !== 'function' || (typeof document !== 'undefined' && !!document.getElementById('vramplan-wasm'));
let seq = 0;
const waiting = new Map();

function startWorker() {
  try {
    // Beside index.html (this module may sit in chunks/).
    worker = new Worker(new URL('worker.js', document.baseURI), { type: 'module' });
  } catch {
    noWorker = true;
    return;
  }
  worker.onmessage = (e) => {
    const job = waiting.get(e.data.id);
    if (!job) return;
    waiting.delete(e.data.id);
    if (e.data.error) job.reject(new VramplanError(e.data.error));
    else job.resolve({ result: e.data.result, ms: e.data.ms });
  };
  worker.onerror = () => {
    // The worker could not start (or died): answer what it held, and everything after, here.
    noWorker = true;
    worker = null;
    for (const [id, job] of waiting) {
      waiting.delete(id);
      planHere(job.request).then(job.resolve, job.reject);
    }
  };
}

function planHere(request) {
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
    const t0 = performance.now();
    return { result: vp.plan(request), ms: performance.now() - t0 };
  });
}

/** The planner, off the page's thread where possible: resolves {result, ms} or rejects a VramplanError. */
export function planAsync(request) {
  if (!noWorker && !worker) startWorker();
  if (noWorker) return planHere(request);
  return new Promise((resolve, reject) => {
    const id = ++seq;
    waiting.set(id, { resolve, reject, request });
    worker.postMessage({ id, request });
  });
}

/** Powers of two from lo to hi (inclusive when hi is one), plus the extra values, sorted and unique. */
export function axisValues(lo, hi, extra = []) {
  const v = new Set(extra.filter((x) => x >= lo && x <= hi));
  for (let x = lo; x <= hi; x *= 2) v.add(x);
  return [...v].sort((a, b) => a - b);
}
