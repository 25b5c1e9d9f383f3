// The URL is the page's state: every state survives toQuery -> fromQuery, and the request built
// from it is what API.md describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, clone, fromQuery, toQuery, toRequest, toPlanRequest, effectiveTP, inputForField, planInputForField, parsePrices, optionValue, optionForField } from '../../web/js/state.js';

const states = [
  ['defaults', {}],
  ['the README question', { model: 'meta-llama/Meta-Llama-3-70B', weights: 'fp8', context: 4096, concurrency: 32, gpu: 'nvidia-h100-sxm-80gb', count: 2 }],
  ['everything set', { kv: 'fp8', engine: 'generic', tp: 2, pp: 2, count: 8, lang: 'zh', unit: 'GiB', theme: 'dark', embed: true, opts: { max_batched_tokens: 4096, allocator_reserve_fraction: 0.1 } }],
  ['custom GPU', { gpu: 'custom', mem: 141.5 }],
  ['pasted config with unicode', { cfg: JSON.stringify({ hidden_size: 4096, num_hidden_layers: 32, note: '中文 ✓' }) }],
  ['planner: the seed example', { view: 'plan', model: 'meta-llama/Meta-Llama-3-70B', qps: 50, ttft: 2000, tpot: 100 }],
  ['planner: users, filters, lists, decimals, sglang, zh', { view: 'plan', load: 'users', users: 300, qps: 0.5, prompt: 4096, output: 1024, ttft: 0, tpot: 35.5, minTps: 5000, vendors: ['nvidia', 'huawei'], minMem: 64, maxGpus: 16, maxCost: 120.25, formats: [], kvs: ['auto', 'fp8'], pengine: 'sglang', lang: 'zh', theme: 'dark' }],
  ['planner: a chosen list of GPUs and GGUF formats for llama.cpp', { view: 'plan', gpus: ['nvidia-rtx-4090', 'nvidia-rtx-3090'], formats: ['gguf-Q4_K_M', 'gguf-Q8_0'], kvs: ['q8_0'], pengine: 'llama.cpp' }],
  ['Ollama with its own options: numbers, a switch, a layer count, a list', { engine: 'ollama', weights: 'gguf-Q4_K_M', opts: { n_ctx: 16384, flash_attn: 'on', n_gpu_layers: 'all', tensor_split: '3,1', swa_full: 'off', kv_unified: 'on' } }],
  ['an engine the catalog will judge, planner on TGI', { engine: 'tensorrt-llm', pengine: 'tgi', opts: { kv_cache_free_gpu_mem_fraction: 0.85, include_mtp_weights: true } }],
  ['planner inputs kept while the calculator is shown', { qps: 12, formats: ['fp8'], count: 2 }],
];
for (const [name, patch] of states) {
  test(`URL round trip: ${name}`, () => {
    const s = { ...clone(DEFAULTS), ...patch, opts: { ...(patch.opts || {}) } };
    const back = fromQuery(toQuery(s));
    if (s.cfg) s.model = DEFAULTS.model; // a pasted config replaces the model in the URL
    assert.deepEqual(back, s);
  });
}

test('the API.md parameter names are read', () => {
  const s = fromQuery('?model=Qwen/QwQ-32B&gpu=h100&count=2&context=16000&concurrency=8&weights=fp8&lang=zh');
  assert.equal(s.model, 'Qwen/QwQ-32B');
  assert.equal(s.gpu, 'h100');
  assert.equal(s.count, 2);
  assert.equal(s.context, 16000);
  assert.equal(s.concurrency, 8);
  assert.equal(s.weights, 'fp8');
  assert.equal(s.lang, 'zh');
});

test('bad URL values fall back to the defaults', () => {
  const s = fromQuery('?count=-1&context=abc&lang=fr&unit=MB&cfg=!!!&theme=pink&o.bad-name=1');
  assert.equal(s.count, DEFAULTS.count);
  assert.equal(s.context, DEFAULTS.context);
  assert.equal(s.lang, '');
  assert.equal(s.unit, 'GB');
  assert.equal(s.cfg, '');
  assert.equal(s.theme, '');
  assert.deepEqual(s.opts, {});
});

test('the request follows API.md', () => {
  const s = fromQuery('?model=meta-llama/Meta-Llama-3-70B&gpu=h100&count=4&context=4096&concurrency=32&weights=fp8&kv=fp8&o.max_batched_tokens=2048');
  assert.deepEqual(toRequest(s), {
    model: 'meta-llama/Meta-Llama-3-70B', weights: 'fp8', kv_cache_dtype: 'fp8', engine: 'generic',
    engine_options: { max_batched_tokens: 2048 },
    workload: { context_tokens: 4096, concurrency: 32 },
    hardware: { gpu: 'h100', count: 4, tensor_parallel: 4, pipeline_parallel: 1 },
  });
  const c = toRequest({ ...s, gpu: 'custom', mem: 80, cfg: '{"hidden_size":1}' });
  assert.deepEqual(c.model, { config: { hidden_size: 1 } });
  assert.deepEqual(c.hardware.gpu, { name: 'custom', memory_bytes: 80e9 });
});

test('engine options go to the core as their type says (catalog(\'engines\') specs)', () => {
  const specs = [
    { name: 'n_ctx', type: 'integer', alias: 'num_ctx' }, { name: 'tensor_split', type: 'number_list' }, { name: 'n_gpu_layers', type: 'layers' },
    { name: 'enforce_eager', type: 'boolean' }, { name: 'flash_attn', type: 'on_off_auto' }, { name: 'variant', type: 'choice' },
  ];
  const s = fromQuery('?engine=ollama&o.num_ctx=8192&o.tensor_split=3,1&o.n_gpu_layers=all&o.enforce_eager=true&o.flash_attn=on&o.variant=ollama');
  assert.deepEqual(toRequest(s, specs).engine_options, { enforce_eager: true, flash_attn: 'on', n_gpu_layers: 'all', num_ctx: 8192, tensor_split: [3, 1], variant: 'ollama' });
  // without the specs (before the catalog is read) the URL's values go as they are
  assert.deepEqual(toRequest(s).engine_options.tensor_split, '3,1');
  assert.deepEqual(optionValue(specs[1], 2), [2]);
  assert.deepEqual(optionValue(specs[1], ' 0.5 , 0.5 '), [0.5, 0.5]);
  assert.equal(optionValue(specs[2], '12'), 12);
  assert.equal(optionValue(specs[3], 'false'), false);
  assert.equal(optionValue(undefined, 'x'), 'x');
  // a release the URL read as a number goes back as the catalog spells it (o.engine_version=2.0 -> 2 -> '2.0')
  const release = { name: 'engine_version', type: 'choice', choices: ['3.3', '2.0', '0.10'] };
  assert.equal(optionValue(release, 2), '2.0');
  assert.equal(optionValue(release, 0.1), '0.10');
  assert.equal(optionValue(release, 7), '7');
  assert.equal(optionForField('engine_options.n_ctx'), 'n_ctx');
  assert.equal(optionForField('engine_options'), '');
  assert.equal(optionForField('workload.context_tokens'), '');
  // any engine id that looks like one is kept for the core to judge (its error shows beside the engine)
  assert.equal(fromQuery('?pengine=ollama').pengine, 'ollama');
  assert.equal(fromQuery('?pengine=tensorrt-llm').pengine, 'tensorrt-llm');
});

test('tensor parallelism: auto is count / pp', () => {
  assert.equal(effectiveTP({ ...DEFAULTS, count: 8, pp: 2, tp: 0 }), 4);
  assert.equal(effectiveTP({ ...DEFAULTS, count: 8, pp: 1, tp: 2 }), 2);
  assert.equal(effectiveTP({ ...DEFAULTS, count: 1, pp: 4, tp: 0 }), 1);
});

test('error fields map to the input that shows them', () => {
  assert.equal(inputForField('workload.context_tokens'), 'context');
  assert.equal(inputForField('model.config.num_hidden_layers'), 'cfg');
  assert.equal(inputForField('hardware.count'), 'count');
  assert.equal(inputForField('hardware.gpu.memory_bytes'), 'gpu');
  assert.equal(inputForField('kv_cache_dtype'), 'kv');
  assert.equal(inputForField('engine_options.max_batched_tokens'), 'opts');
  assert.equal(inputForField(''), 'model');
});

test('planner URL: readable, the workload always explicit, calculator defaults left out', () => {
  const s = { ...clone(DEFAULTS), view: 'plan', model: 'meta-llama/Meta-Llama-3-70B', qps: 50, formats: ['bf16', 'fp8', 'gguf-Q4_K_M'] };
  const q = toQuery(s);
  assert.equal(q, '?model=meta-llama%2FMeta-Llama-3-70B&view=plan&qps=50&formats=bf16,fp8,gguf-Q4_K_M');
  assert.equal(toQuery({ ...clone(DEFAULTS), view: 'plan' }), `?model=${encodeURIComponent(DEFAULTS.model)}&view=plan&qps=${DEFAULTS.qps}`);
  assert.match(toQuery({ ...clone(DEFAULTS), view: 'plan', load: 'users' }), /&load=users&users=64$/);
  // the calculator still writes its explicit figures
  assert.match(toQuery(clone(DEFAULTS)), /gpu=.*count=1.*context=8192.*concurrency=1/);
});

test('bad planner values in the URL fall back to the defaults', () => {
  const s = fromQuery('?view=planner&load=rps&qps=abc&users=-3&prompt=1e3&ttft=fast&max_gpus=0&formats=fp8,<script>&kvs=' + 'x,'.repeat(70) + '&pengine=no%20such%20engine&gpus=a%20b');
  for (const k of ['view', 'load', 'qps', 'users', 'prompt', 'ttft', 'maxGpus', 'formats', 'kvs', 'pengine', 'gpus']) assert.deepEqual(s[k], DEFAULTS[k], k);
  assert.deepEqual(fromQuery('?formats=').formats, []); // none checked: the model's own
  assert.deepEqual(fromQuery('?vendors=amd,amd,nvidia').vendors, ['amd', 'nvidia']);
});

test('the plan request follows API.md "Plan request"', () => {
  const s = fromQuery('?view=plan&model=Qwen/Qwen3-235B-A22B&load=users&users=64&prompt=2000&output=800&ttft=0&tpot=50&min_tps=0&vendors=nvidia,amd&min_mem=80&max_gpus=32&max_cost=300&formats=bf16,fp8&kvs=auto,fp8&pengine=sglang');
  assert.deepEqual(toPlanRequest(s), {
    model: 'Qwen/Qwen3-235B-A22B',
    workload: { concurrency: 64, prompt_tokens: 2000, output_tokens: 800 },
    slo: { tpot_ms: 50 },
    candidates: { max_gpus: 32, vendors: ['nvidia', 'amd'], min_memory_gb: 80, max_cost_per_hour: 300 },
    weights: ['bf16', 'fp8'],
    kv_cache_dtypes: ['auto', 'fp8'],
    engine: 'sglang',
  });
  // a chosen list replaces the filters; no target and no formats leave the keys out
  const c = toPlanRequest({ ...s, gpus: ['nvidia-h100-sxm-80gb'], ttft: 0, tpot: 0, formats: [], kvs: [], cfg: '{"hidden_size":1}' });
  assert.deepEqual(c.candidates, { max_gpus: 32, gpus: ['nvidia-h100-sxm-80gb'], max_cost_per_hour: 300 });
  assert.equal('slo' in c, false);
  assert.equal('weights' in c, false);
  assert.equal('kv_cache_dtypes' in c, false);
  assert.deepEqual(c.model, { config: { hidden_size: 1 } });
});

test('planner error fields map to the input that shows them', () => {
  assert.equal(planInputForField('workload.qps'), 'qps');
  assert.equal(planInputForField('workload.concurrency'), 'users');
  assert.equal(planInputForField('slo.tpot_ms'), 'tpot');
  assert.equal(planInputForField('candidates.gpus[2]'), 'gpus');
  assert.equal(planInputForField('candidates.max_cost_per_hour'), 'maxCost');
  assert.equal(planInputForField('weights[1]'), 'formats');
  assert.equal(planInputForField('kv_cache_dtypes[0]'), 'kvs');
  assert.equal(planInputForField('model.config.hidden_size'), 'cfg');
  assert.equal(planInputForField(''), 'model');
});

test('planner prices: parsed, round-tripped through the URL, sent as candidates.prices', () => {
  assert.deepEqual(parsePrices('h100:2.2, a100 = 1.4'), ['h100:2.2', 'a100:1.4']);
  assert.equal(parsePrices('h100 is cheap'), null);
  assert.equal(parsePrices('h100:-2'), null);
  const s = { ...clone(DEFAULTS), view: 'plan', prices: ['nvidia-h100-sxm-80gb:2.2', 'a100:1.4'] };
  const back = fromQuery(toQuery(s));
  assert.deepEqual(back.prices, s.prices);
  assert.deepEqual(toPlanRequest(s).candidates.prices, { 'nvidia-h100-sxm-80gb': 2.2, a100: 1.4 });
  assert.equal(toPlanRequest(clone(DEFAULTS)).candidates.prices, undefined);
  assert.deepEqual(fromQuery('?view=plan&prices=h100:abc').prices, []);  // malformed: the catalog's prices
  assert.equal(planInputForField('candidates.prices.h100'), 'prices');
});
