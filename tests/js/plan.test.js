// The planner through the wasm wrapper: the same JSON as the native CLI (`vramplan plan - --json`),
// bad requests as VramplanErrors with code and field, the page's request from its state, the estimate
// that reproduces a plan's memory bars, the Pareto chart, and the planner's coded reasons and notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliPath, loadWrapper } from './helpers.js';
import { DEFAULTS, clone, fromQuery, toPlanRequest } from '../../web/js/state.js';
import { paretoPoints, paretoSVG, planEstimateRequest, e2eMs } from '../../web/js/plan.js';
import { addTemplates, fill, say } from '../../web/js/text.js';
import { readTemplates } from '../../web/templates.mjs';
import { root } from './helpers.js';

const templates = readTemplates(root);
addTemplates('en', templates.en);
addTemplates('zh', templates.zh);

const vp = await loadWrapper();
const hasCli = existsSync(cliPath);

// The seeds' planning example (README "The planner").
const SEED = { model: 'meta-llama/Meta-Llama-3-70B', workload: { qps: 50, prompt_tokens: 1000, output_tokens: 500 }, slo: { ttft_ms: 2000, tpot_ms: 100 }, weights: ['bf16', 'fp8'], engine: 'vllm' };
const REQUESTS = [
  ['the seed example (Llama-3-70B, 50 req/s, vLLM)', SEED],
  ['Qwen3-235B-A22B, 64 in flight, SGLang, NVIDIA/AMD ≥ 80 GB, fp8 KV', { model: 'Qwen/Qwen3-235B-A22B', workload: { concurrency: 64, prompt_tokens: 2000, output_tokens: 800 }, slo: { tpot_ms: 50 }, candidates: { vendors: ['nvidia', 'amd'], min_memory_gb: 80, max_gpus: 32 }, weights: ['bf16', 'fp8'], kv_cache_dtypes: ['auto', 'fp8'], engine: 'sglang' }],
  ['Llama-3-8B GGUF on three chosen cards, llama.cpp, a budget', { model: 'meta-llama/Meta-Llama-3-8B', workload: { qps: 2, prompt_tokens: 500, output_tokens: 200 }, slo: { ttft_ms: 1500, tpot_ms: 60, min_output_tokens_per_s: 300 }, candidates: { gpus: ['nvidia-rtx-4090', 'nvidia-rtx-3090', 'nvidia-l4'], max_gpus: 8, max_cost_per_hour: 5 }, weights: ['gguf-Q4_K_M', 'gguf-Q8_0'], kv_cache_dtypes: ['auto', 'q8_0'], engine: 'llama.cpp' }],
];

function native(request) {
  const p = spawnSync(cliPath, ['plan', '-', '--json'], { input: JSON.stringify(request), encoding: 'utf8' });
  assert.ok(p.status === 0 || p.status === 2, `CLI exit ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout);
}

/**
 * Same JSON: the same keys, strings, booleans, integers and order everywhere; doubles equal to 1e-12
 * relative (the queueing model's log() comes from musl in wasm and glibc natively, which may differ
 * in the last bit).
 */
function assertSameJSON(a, b, where = '$') {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) assert.equal(a, b, where);
    else assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b), where);
    assert.equal(a.length, b.length, `${where}.length`);
    a.forEach((x, i) => assertSameJSON(x, b[i], `${where}[${i}]`));
    return;
  }
  if (a && typeof a === 'object') {
    assert.ok(b && typeof b === 'object' && !Array.isArray(b), where);
    assert.deepEqual(Object.keys(a), Object.keys(b), `${where} keys`);
    for (const k of Object.keys(a)) assertSameJSON(a[k], b[k], `${where}.${k}`);
    return;
  }
  assert.equal(a, b, where);
}

for (const [name, request] of REQUESTS) {
  test(`plan(): wasm == native CLI: ${name}`, { skip: !hasCli && 'no native CLI' }, () => {
    const w = vp.plan(request);
    const n = native(request);
    assert.ok(w.plans.length > 0, 'some plan fits');
    assertSameJSON(w, n);
  });
}

test('the seed example: the concurrency is Little’s law for the best plan, which meets the targets', () => {
  const r = vp.plan(SEED);
  const best = r.plans[0];
  assert.equal(best.meets_slo, true);
  assert.ok(best.ttft_ms <= 2000 && best.tpot_ms <= 100);
  assert.ok(Math.abs(r.concurrency - best.concurrency_per_replica * best.replicas) < 1e-6);
  assert.ok(r.concurrency > 150, `${r.concurrency}`); // the seed's ~150 assumes a 5 ms TPOT (README "The planner")
  assert.match(best.launch_command, /^vllm serve meta-llama\/Meta-Llama-3-70B /);
  for (const i of r.pareto) assert.equal(r.plans[i].meets_slo, true);
});

test('the page’s request for the seed state is the seed request, with the defaults spelled out', () => {
  const s = fromQuery('?view=plan&model=meta-llama/Meta-Llama-3-70B&qps=50&ttft=2000&tpot=100&formats=bf16,fp8');
  const req = toPlanRequest(s);
  assert.deepEqual(req, { ...SEED, candidates: { max_gpus: 64 }, kv_cache_dtypes: ['auto'] });
  assertSameJSON(vp.plan(req), vp.plan(SEED));
});

const BAD = [
  ['malformed JSON', '{"model": ', 'invalid_json', ''],
  ['not an object', '[1, 2]', 'invalid_json', ''],
  ['no workload', { model: 'meta-llama/Meta-Llama-3-8B' }, 'invalid_field', 'workload'],
  ['neither qps nor concurrency', { ...SEED, workload: { prompt_tokens: 100 } }, 'invalid_field', 'workload.qps'],
  ['negative qps', { ...SEED, workload: { qps: -1 } }, 'invalid_field', 'workload.qps'],
  ['zero output tokens', { ...SEED, workload: { qps: 1, output_tokens: 0 } }, 'invalid_field', 'workload.output_tokens'],
  ['slo not an object', { ...SEED, slo: 5 }, 'invalid_field', 'slo'],
  ['negative TTFT target', { ...SEED, slo: { ttft_ms: -5 } }, 'invalid_field', 'slo.ttft_ms'],
  ['unknown candidate GPU', { ...SEED, candidates: { gpus: ['gtx-9999'] } }, 'unknown_gpu', 'candidates.gpus[0]'],
  ['max_gpus 0', { ...SEED, candidates: { max_gpus: 0 } }, 'invalid_field', 'candidates.max_gpus'],
  ['unknown weight format', { ...SEED, weights: ['bf16', 'int3'] }, 'unknown_format', 'weights[1]'],
  ['weights not a list', { ...SEED, weights: 7 }, 'invalid_field', 'weights'],
  ['unknown model', { ...SEED, model: 'no-such-model' }, 'unknown_model', 'model'],
];
for (const [name, req, code, field] of BAD) {
  test(`bad plan request gives a VramplanError with code and field, then the module still works: ${name}`, () => {
    assert.throws(() => vp.plan(req), (e) => {
      assert.ok(e instanceof vp.VramplanError);
      assert.equal(e.code, code);
      assert.equal(e.field, field);
      assert.ok(e.message.length > 0);
      return true;
    });
    assert.ok(vp.plan({ ...SEED, candidates: { gpus: ['nvidia-h100-sxm-80gb'] } }).plans.length > 0);
  });
}

test('a plan’s memory bars: the estimate the planner evaluates gives its per-GPU total', () => {
  for (const [, request] of REQUESTS) {
    const r = vp.plan(request);
    for (const p of r.plans.slice(0, 25)) {
      const e = vp.estimate(planEstimateRequest(request, p));
      assert.equal(Math.max(...e.per_gpu.map((g) => g.total)), p.per_gpu_total, `${request.engine} ${p.gpu} ${p.gpus_per_replica} ${p.weights}`);
      assert.equal(e.per_gpu.length, p.gpus_per_replica);
    }
  }
});

test('Pareto chart: every priced plan is a dot, the front is highlighted, the selected plan ringed', () => {
  const r = vp.plan(SEED);
  const pts = paretoPoints(r);
  const priced = r.plans.filter((p) => typeof p.cost_per_hour === 'number');
  assert.equal(pts.length, priced.length);
  assert.deepEqual(pts.filter((p) => p.pareto).map((p) => p.i).sort((a, b) => a - b), [...r.pareto].sort((a, b) => a - b));
  const p0 = pts.find((p) => p.i === 0);
  assert.equal(p0.x, e2eMs(r.plans[0], 500) / 1000);
  const colors = { fg: '#111', muted: '#555', grid: '#eee', accent: '#25d', bgCard: '#fff' };
  const svg = paretoSVG(pts, { width: 800, height: 440, colors, lang: 'en', selected: 0, xLabel: 'latency', yLabel: 'cost', legend: ['front', 'meets', 'misses', 'selected'], labels: { 0: 'best' }, title: 'T & <t>' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="440"/);
  assert.equal((svg.match(/<circle data-i=/g) || []).length, pts.length);
  assert.equal((svg.match(/<circle data-i="\d+" cx="[\d.]+" cy="[\d.]+" r="5.5" fill="#25d"/g) || []).length, r.pareto.length);
  assert.match(svg, /class="sel"/);
  assert.match(svg, /T &amp; &lt;t&gt;/);
  assert.ok(!/NaN|Infinity/.test(svg));
  // no priced plan: an empty chart, not an error
  assert.ok(!/NaN/.test(paretoSVG([], { colors, xLabel: 'x', yLabel: 'y' })));
});

test('the planner’s reasons and notes are coded texts the page renders: rendered English = the core’s message', () => {
  const r = vp.plan(SEED);
  const texts = [...r.plans.map((p) => p.why), ...r.rejected.map((j) => j.reason_text), ...r.assumptions.map((a) => a.why)];
  assert.ok(texts.length > 20);
  for (const t of texts) {
    assert.equal(typeof t.code, 'string');
    assert.equal(fill(t, 'en'), t.message);
    const zh = say(t, 'zh');
    assert.equal(zh.lang, t.code in templates.zh ? 'zh' : 'en', t.code);
    assert.ok(!zh.text.includes('{'), zh.text);
  }
  // rejected[].reason stays the plain English of API.md, the same words as its coded text
  for (const j of r.rejected) assert.equal(j.reason, j.reason_text.message);
});

test('an engine without a launcher: no command, the core’s note says why', () => {
  const r = vp.plan({ ...SEED, engine: 'transformers', candidates: { gpus: ['nvidia-h100-sxm-80gb', 'nvidia-b200'] } });
  assert.ok(r.plans.length > 0);
  for (const p of r.plans) {
    assert.equal(p.launch_command, '');
    assert.equal(typeof p.launch_note.code, 'string');
    assert.equal(fill(p.launch_note, 'en'), p.launch_note.message);
  }
  const v = vp.plan({ ...SEED, candidates: { gpus: ['nvidia-h100-sxm-80gb'] } });
  assert.ok(v.plans.every((p) => p.launch_command.startsWith('vllm serve ')));
});

test('the default plan state asks the planner a valid question', () => {
  const r = vp.plan(toPlanRequest(clone(DEFAULTS)));
  assert.ok(r.plans.length > 0);
});
