// The planner's Web Worker: its own instance of the module, so a whole-catalog plan (tens of
// milliseconds with vLLM or SGLang, seconds with llama.cpp) never blocks the page. Bundled by
// build.mjs into worker.js beside app.js; core.js falls back to the page's own instance where a
// worker cannot start (the single file from file://).
import { init, plan, VramplanError } from './vramplan.js';

const ready = init();

self.onmessage = async (e) => {
  const { id, request } = e.data;
  try {
    await ready;
    const t0 = performance.now();
    const result = plan(request);
    self.postMessage({ id, result, ms: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, error: err instanceof VramplanError ? err.error : { code: 'internal', field: '', message: String(err && err.message ? err.message : err) } });
  }
};
