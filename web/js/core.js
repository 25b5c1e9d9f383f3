// Owns the WebAssembly instance: loading it (from the site, or from the base64 text inlined in the
// single-file build), and the questions the page asks of it. Nothing else touches the module.
import * as vp from './vramplan.js';

export const { VramplanError } = vp;

export async function load() {
  const inline = typeof document !== 'undefined' && document.getElementById('vramplan-wasm');
  const options = {};
  if (inline && inline.textContent.trim()) {
    const bin = atob(inline.textContent.trim());
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    options.wasmBinary = bytes;
  }
  await vp.init(options);
}

export const estimate = (req) => vp.estimate(req);
export const sweep = (req, axis, values) => vp.sweep(req, axis, values);
export const catalog = () => vp.catalog();
export const capabilities = () => vp.capabilities();
export const fit = (req) => vp.fit(req);

/** Engines the core accepts today: the others answer `unsupported` and are shown disabled. */
export function supportedEngines(engines, probeRequest) {
  const ok = {};
  for (const e of engines) {
    try {
      vp.estimate({ ...probeRequest, engine: e });
      ok[e] = true;
    } catch (err) {
      ok[e] = !(err instanceof VramplanError && err.code === 'unsupported');
    }
  }
  return ok;
}

/** Powers of two from lo to hi (inclusive when hi is one), plus the extra values, sorted and unique. */
export function axisValues(lo, hi, extra = []) {
  const v = new Set(extra.filter((x) => x >= lo && x <= hi));
  for (let x = lo; x <= hi; x *= 2) v.add(x);
  return [...v].sort((a, b) => a - b);
}

/**
 * The largest value of `axis` that still fits, found with a few sweep calls (each one call for many
 * points): a doubling scan, then narrowing the bracket 32 points at a time. Returns
 * {value, atLeast} (atLeast when even `max` fits), {value: 0} when nothing fits, or null on error.
 * A generator: each yield is one sweep call, so the page can spread the work over idle time.
 */
export function* maxAlong(request, axis, max) {
  const fitsAt = (values) => {
    try {
      return sweep(request, axis, values).points.map((p) => p.fits);
    } catch {
      return null;
    }
  };
  const pows = axisValues(1, max, [max]);
  const first = fitsAt(pows);
  yield;
  if (!first) return null;
  if (!first[0]) return { value: 0 };
  let k = first.lastIndexOf(true);
  if (k === pows.length - 1) return { value: max, atLeast: true };
  let lo = pows[k];
  let hi = pows[k + 1];
  while (hi - lo > 1) {
    const step = Math.max(1, Math.floor((hi - lo) / 32));
    const values = [];
    for (let x = lo + step; x < hi; x += step) values.push(x);
    const fits = fitsAt(values);
    yield;
    if (!fits) return null;
    const j = fits.lastIndexOf(true);
    if (j >= 0) lo = values[j];
    if (j + 1 < values.length) hi = values[j + 1];
    if (step === 1) break;
  }
  return { value: lo };
}

/**
 * For each catalog GPU, the fewest cards (1, 2, 4, 8 with tensor parallelism = count) that fit the
 * request. Four reference estimates on an unbounded card give the per-GPU need at each count
 * (the generic engine's need does not depend on the card), then one real estimate per GPU confirms
 * it. A generator that yields between GPUs; returns [{gpu, count, total, capacity}], fewest cards first.
 * (Replaced by the core's fit_text once it exists; see capabilities().fit.)
 */
export function* gpusThatFit(request, gpus, counts = [1, 2, 4, 8]) {
  const need = new Map();
  for (const c of counts) {
    const req = { ...request, hardware: { gpu: { name: 'reference', memory_bytes: 2 ** 50 }, count: c, tensor_parallel: c, pipeline_parallel: 1 } };
    try {
      need.set(c, Math.max(...estimate(req).per_gpu.map((g) => g.total)));
    } catch {
      /* this TP degree does not divide the model: skip it */
    }
  }
  yield;
  const out = [];
  let n = 0;
  for (const g of gpus) {
    for (const c of counts) {
      if (!need.has(c) || need.get(c) > g.capacity_bytes) continue;
      try {
        const r = estimate({ ...request, hardware: { gpu: g.id, count: c, tensor_parallel: c, pipeline_parallel: 1 } });
        if (r.fits) {
          const total = Math.max(...r.per_gpu.map((p) => p.total));
          out.push({ gpu: g.id, name: g.name, vendor: g.vendor, count: c, total, capacity: g.capacity_bytes });
          break;
        }
      } catch {
        /* not a valid layout for this card */
      }
    }
    if (++n % 6 === 0) yield;
  }
  out.sort((a, b) => a.count - b.count || a.capacity - b.capacity || a.name.localeCompare(b.name));
  return out;
}
