// Native and wasm give identical results: for every catalog model, the wasm `estimate` and the
// native CLI (`vramplan estimate - --json`) parse to the same object, number for number and
// string for string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliPath, loadWrapper } from './helpers.js';

const vp = await loadWrapper();
const models = vp.catalog('models').models;

function native(request) {
  const p = spawnSync(cliPath, ['estimate', '-', '--json'], { input: JSON.stringify(request), encoding: 'utf8' });
  assert.ok(p.status === 0 || p.status === 2, `CLI exit ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout);
}
function wasm(request) {
  try {
    return vp.estimate(request);
  } catch (e) {
    if (e instanceof vp.VramplanError) return { error: e.error };
    throw e;
  }
}

const variants = [
  ['own format, H100, 8k × 4', (id) => ({ model: id, workload: { context_tokens: 8192, concurrency: 4 }, hardware: { gpu: 'nvidia-h100-sxm-80gb', count: 1 } })],
  ['fp8 + fp8 KV, 8 × H100 TP8, 32k × 32', (id) => ({ model: id, weights: 'fp8', kv_cache_dtype: 'fp8', workload: { context_tokens: 32768, concurrency: 32 }, hardware: { gpu: 'h100', count: 8, tensor_parallel: 8 } })],
  ['gguf Q4_K_M, q8_0 KV, RTX 4090, custom card TP2 PP2', (id) => ({ model: id, weights: 'gguf-Q4_K_M', kv_cache_dtype: 'q8_0', workload: { context_tokens: 4000, concurrency: 2 }, hardware: { gpu: { name: 'card', memory_bytes: 25757220864 }, count: 4, tensor_parallel: 2, pipeline_parallel: 2 } })],
];

test('the native CLI exists', { skip: existsSync(cliPath) ? false : `no CLI at ${cliPath}` }, () => {});

for (const [vname, make] of variants) {
  test(`wasm == native for every catalog model: ${vname}`, { skip: !existsSync(cliPath) && 'no native CLI' }, () => {
    assert.ok(models.length >= 40);
    for (const m of models) {
      const req = make(m.id);
      assert.deepStrictEqual(wasm(req), native(req), `${m.id} (${vname})`);
    }
  });
}
