// The URL is the page's state: every state survives toQuery -> fromQuery, and the request built
// from it is what API.md describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, clone, fromQuery, toQuery, toRequest, effectiveTP, inputForField } from '../../web/js/state.js';

const states = [
  ['defaults', {}],
  ['the README question', { model: 'meta-llama/Meta-Llama-3-70B', weights: 'fp8', context: 4096, concurrency: 32, gpu: 'nvidia-h100-sxm-80gb', count: 2 }],
  ['everything set', { kv: 'fp8', engine: 'generic', tp: 2, pp: 2, count: 8, lang: 'zh', unit: 'GiB', theme: 'dark', embed: true, opts: { max_batched_tokens: 4096, allocator_reserve_fraction: 0.1 } }],
  ['custom GPU', { gpu: 'custom', mem: 141.5 }],
  ['pasted config with unicode', { cfg: JSON.stringify({ hidden_size: 4096, num_hidden_layers: 32, note: '中文 ✓' }) }],
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
