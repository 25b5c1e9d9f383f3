// wasm/vramplan.d.ts, the wrapper's hand-written TypeScript declarations: it parses as TypeScript
// (esbuild's TypeScript parser, already a devDependency: no type checker is installed), every type it
// names is declared in it or built in, and it declares exactly the functions the wrapper exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { transform } from 'esbuild';
import { root, wasmDir, loadWrapper } from './helpers.js';

const dtsPath = path.join(root, 'wasm', 'vramplan.d.ts');
const dts = readFileSync(dtsPath, 'utf8');
// Without comments and string literals, so that words in them are not taken for declarations or types.
const code = dts
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/\/\/.*$/gm, '')
  .replace(/'[^'\n]*'/g, "''");

test('vramplan.d.ts parses as TypeScript', async () => {
  await assert.doesNotReject(transform(dts, { loader: 'ts', sourcefile: 'vramplan.d.ts' }));
  // …and the check would notice a broken file.
  await assert.rejects(transform(dts.replace('export interface Warning {', 'export interface Warning {{'), { loader: 'ts' }));
});

test('every type vramplan.d.ts names is declared in it or built in', () => {
  const declared = new Set([...code.matchAll(/\b(?:interface|type|class)\s+([A-Z]\w*)/g)].map((m) => m[1]));
  const builtin = new Set(['Array', 'Record', 'Partial', 'Promise', 'Error', 'ArrayBuffer', 'Uint8Array', 'WebAssembly']);
  const used = new Set([...code.matchAll(/(?<![.\w])([A-Z]\w*)/g)].map((m) => m[1]));
  assert.deepEqual([...used].filter((t) => !declared.has(t) && !builtin.has(t)), []);
});

test('vramplan.d.ts declares exactly the functions and classes the wrapper exports, and each exists', async () => {
  const vp = await loadWrapper();
  const functions = [...code.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
  const classes = [...code.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
  assert.ok(/^export default \w+;$/m.test(code), 'a default export');
  const exported = Object.keys(vp).filter((k) => k !== 'default');
  assert.deepEqual([...functions, ...classes].sort(), exported.sort());
  for (const name of functions) assert.equal(typeof vp[name], 'function', name);
  for (const name of classes) assert.ok(new vp[name]({ code: 'unsupported' }) instanceof Error, name);
  // The default export (interface Vramplan) has the same members.
  const members = [...code.match(/export interface Vramplan \{([^}]*)\}/)[1].matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
  assert.deepEqual(members.sort(), Object.keys(vp.default).sort());
});

test('the build puts vramplan.d.ts beside vramplan.js', { skip: !existsSync(path.join(wasmDir, 'vramplan.js')) && 'no wasm build' }, () => {
  assert.equal(readFileSync(path.join(wasmDir, 'vramplan.d.ts'), 'utf8'), dts);
  const site = path.resolve(root, process.env.VRAMPLAN_SITE_DIR || 'build/site');
  if (existsSync(path.join(site, 'vramplan.js'))) assert.equal(readFileSync(path.join(site, 'vramplan.d.ts'), 'utf8'), dts);
});
