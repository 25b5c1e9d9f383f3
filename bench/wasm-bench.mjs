// The same calls as bench.cpp, in the wasm module (after scripts/build-site): node bench/wasm-bench.mjs
// VRAMPLAN_WASM_DIR=<dir with vramplan.js + vramplan_core.wasm> benches another build (before/after).
import { loadWrapper } from '../tests/js/helpers.js';

const vp = await loadWrapper();
const estimate = { model: 'meta-llama/Meta-Llama-3-70B', weights: 'fp8', workload: { context_tokens: 4096, concurrency: 32 }, hardware: { gpu: 'nvidia-h100-sxm-80gb', count: 2 } };
const plan = { model: 'meta-llama/Meta-Llama-3-70B', workload: { qps: 50, prompt_tokens: 1000, output_tokens: 500 }, slo: { ttft_ms: 2000, tpot_ms: 100 }, weights: ['bf16', 'fp8'], engine: 'vllm' };
const planNvidia = { ...plan, candidates: { vendors: ['nvidia'], min_memory_gb: 40 } };

function median(f, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    t.push(performance.now() - start);
  }
  t.sort((a, b) => a - b);
  return t[runs >> 1].toFixed(2);
}
for (let i = 0; i < 30; i++) { vp.estimate(estimate); vp.fit(estimate); vp.plan(plan); }  // let V8 tier up
console.log(`estimate                               ${median(() => vp.estimate(estimate), 100)} ms`);
console.log(`fit                                    ${median(() => vp.fit(estimate), 20)} ms`);
console.log(`plan, NVIDIA GPUs with >= 40 GB        ${median(() => vp.plan(planNvidia), 20)} ms`);
console.log(`plan, the whole catalog                ${median(() => vp.plan(plan), 20)} ms`);
