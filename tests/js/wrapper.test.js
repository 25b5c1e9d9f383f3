// The ES-module wrapper around the wasm core: parsed results, one Error class, and a module that
// keeps working after any bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWrapper } from './helpers.js';

const vp = await loadWrapper();
const base = { model: 'Qwen/QwQ-32B', workload: { context_tokens: 16000, concurrency: 1 }, hardware: { gpu: 'h100', count: 1 } };

test('estimate returns the parsed result object', () => {
  const r = vp.estimate(base);
  assert.equal(typeof r.per_gpu[0].total, 'number');
  assert.equal(r.kv_cache.bytes, 4194304000); // the seed example: 4.19 GB of KV at 16k (tests/test_seeds.cpp)
  assert.equal(r.request.gpu, 'nvidia-h100-sxm-80gb');
  assert.equal(r.fits, true);
});

test('estimate accepts JSON text as well as objects', () => {
  assert.deepEqual(vp.estimate(JSON.stringify(base)), vp.estimate(base));
});

const bad = [
  ['malformed JSON', '{"model": ', 'invalid_json', ''],
  ['unknown model', { ...base, model: 'no-such-model' }, 'unknown_model', 'model'],
  ['unknown gpu', { ...base, hardware: { gpu: 'gtx-9999' } }, 'unknown_gpu', 'hardware.gpu'],
  ['unknown format', { ...base, weights: 'int3' }, 'unknown_format', 'weights'],
  ['negative context', { ...base, workload: { context_tokens: -5 } }, 'invalid_field', 'workload.context_tokens'],
  ['count not a multiple of TP', { ...base, hardware: { gpu: 'h100', count: 3, tensor_parallel: 2 } }, 'invalid_field', 'hardware.count'],
  ['config without layers', { model: { config: { hidden_size: 4096 } } }, 'invalid_field', 'model.config.num_hidden_layers'],
  ['array instead of object', [], null, null],
  ['null', 'null', null, null],
  ['huge numbers', { ...base, workload: { context_tokens: 1e300, concurrency: 1e300 } }, null, null],
  ['wrong types everywhere', { model: 5, weights: [], kv_cache_dtype: {}, engine: 7, workload: 'x', hardware: 3 }, null, null],
  ['deeply nested junk', { model: { config: { text_config: { text_config: { hidden_size: 'a' } } } } }, null, null],
];
for (const [name, req, code, field] of bad) {
  test(`bad input gives a VramplanError, then the module still works: ${name}`, () => {
    assert.throws(() => vp.estimate(req), (e) => {
      assert.ok(e instanceof vp.VramplanError);
      assert.ok(e instanceof Error);
      assert.equal(typeof e.error.message, 'string');
      assert.ok(e.error.message.length > 0);
      if (code) assert.equal(e.code, code);
      if (field !== null) assert.equal(e.field, field);
      return true;
    });
    assert.equal(vp.estimate(base).kv_cache.bytes, 4194304000);
  });
}

test('sweep gives one point per value, equal to estimate at that value', () => {
  const values = [1024, 4096, 16000, 65536];
  const s = vp.sweep(base, 'context_tokens', values);
  assert.equal(s.axis, 'context_tokens');
  assert.deepEqual(s.points.map((p) => p.value), values);
  for (const p of s.points) {
    const r = vp.estimate({ ...base, workload: { ...base.workload, context_tokens: p.value } });
    assert.equal(p.per_gpu_total, Math.max(...r.per_gpu.map((g) => g.total)));
    assert.equal(p.kv_cache, r.per_gpu[0].kv_cache);
    assert.equal(p.fits, r.fits);
  }
  const c = vp.sweep(base, 'concurrency', [1, 2, 4]);
  assert.ok(c.points[2].kv_cache > c.points[0].kv_cache);
});

test('sweep errors are VramplanErrors', () => {
  assert.throws(() => vp.sweep(base, 'temperature', [1]), (e) => e instanceof vp.VramplanError && e.field === 'axis');
  assert.throws(() => vp.sweep(base, 'concurrency', [1.5]), (e) => e instanceof vp.VramplanError);
  assert.throws(() => vp.sweep(base, 'concurrency', []), (e) => e instanceof vp.VramplanError);
});

test('catalog lists models, GPUs and formats', () => {
  const c = vp.catalog();
  assert.ok(c.models.length >= 40);
  assert.ok(c.gpus.length >= 40);
  assert.ok(c.formats.includes('gguf-Q4_K_M'));
  assert.ok(c.gpus.every((g) => g.capacity_bytes > 0 && typeof g.id === 'string'));
  assert.deepEqual(Object.keys(vp.catalog('gpus')), ['gpus']);
});

test('optional entry points answer unsupported until the core has them', () => {
  const caps = vp.capabilities();
  for (const name of ['fit', 'plan', 'train']) {
    if (caps[name]) continue;
    assert.throws(() => vp[name]({}), (e) => e instanceof vp.VramplanError && e.code === 'unsupported');
  }
});

test('the module binds fit, perf and plan, and no train yet: train() throws `unsupported`', () => {
  // The core has no training entry point (wasm/bindings.cpp binds exactly what it has).
  assert.deepEqual(vp.capabilities(), { fit: true, perf: true, plan: true, train: false });
  // perf() through the wasm keeps Little's law like the native core (tests/test_load.cpp).
  const p = vp.perf({ model: 'meta-llama/Llama-3.1-8B-Instruct', engine: 'vllm', hardware: { gpu: 'nvidia-h100-sxm-80gb' },
    workload: { prompt_tokens: 1000, output_tokens: 200, concurrency: 8 } });
  assert.equal(p.running_sequences, 8);
  assert.ok(Math.abs(p.requests_per_s * p.e2e_ms.mean / 1000 - 8) < 1e-6);
  assert.throws(() => vp.train({ model: 'Qwen/QwQ-32B' }), (e) => {
    assert.ok(e instanceof vp.VramplanError);
    assert.equal(e.code, 'unsupported');
    assert.equal(e.error.code, 'unsupported');
    assert.match(e.message, /train/);
    return true;
  });
  assert.equal(vp.estimate(base).kv_cache.bytes, 4194304000);
});

test('non-ASCII text crosses the boundary both ways (UTF-8)', () => {
  // A pasted config's name, and the error message that quotes an unknown model id.
  assert.throws(() => vp.estimate({ ...base, model: 'модель-千问' }), (e) => e instanceof vp.VramplanError && e.code === 'unknown_model' && e.message.includes('модель-千问'));
});

test('a thousand estimates do not leak or slow down', () => {
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) vp.estimate({ ...base, workload: { context_tokens: 1000 + i, concurrency: 1 + (i % 7) } });
  const per = (performance.now() - t0) / 1000;
  assert.ok(per < 20, `${per} ms per estimate`);
});
