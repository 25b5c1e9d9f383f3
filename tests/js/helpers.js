// Shared by the JS tests: where the built wasm module and the native CLI live.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const wasmDir = path.resolve(root, process.env.VRAMPLAN_WASM_DIR || 'build/wasm/bin');
export const cliPath = path.resolve(root, process.env.VRAMPLAN_CLI || 'build/dev/bin/vramplan');

/** The wrapper, initialised with the wasm bytes (node cannot fetch a file: URL). */
export async function loadWrapper() {
  const file = path.join(wasmDir, 'vramplan.js');
  if (!existsSync(file)) throw new Error(`no wasm build at ${wasmDir}: run scripts/build-site first`);
  const vp = await import(file);
  await vp.init({ wasmBinary: readFileSync(path.join(wasmDir, 'vramplan_core.wasm')) });
  return vp;
}
