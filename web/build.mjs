// Assembles the static site from the built wasm module and web/ (called by scripts/build-site):
//   OUT/index.html, app.js (the page's ES modules + uPlot, bundled and minified), app.css,
//   vramplan_core.wasm, vramplan.js + vramplan_core.js (the wrapper, for people embedding the
//   module), worker.js (the planner's Web Worker: the wrapper + module glue, loaded when the Planner
//   view first plans), sw.js (with its precache list), vramplan.html (everything inlined: works from
//   file://, where the planner runs on the page's thread).
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [wasmDir, outDir] = process.argv.slice(2).map((p) => path.resolve(p));
if (!wasmDir || !outDir) {
  console.error('usage: node web/build.mjs WASM_BUILD_DIR OUT_DIR');
  process.exit(2);
}

const stage = path.join(root, 'build', 'site-src');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(path.join(root, 'web', 'js'), path.join(stage, 'js'), { recursive: true });
cpSync(path.join(root, 'wasm', 'vramplan.js'), path.join(stage, 'js', 'vramplan.js'));
cpSync(path.join(wasmDir, 'vramplan_core.js'), path.join(stage, 'js', 'vramplan_core.js'));

mkdirSync(outDir, { recursive: true });
// One minified ES-module bundle per entry point (the page, and the planner's worker).
const bundleOf = (entry) =>
  build({
    entryPoints: [path.join(stage, 'js', entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    write: false,
    legalComments: 'none',
    nodePaths: [path.join(root, 'node_modules')],
    logLevel: 'warning',
  });
const bundle = await bundleOf('main.js');
const appJs = bundle.outputFiles[0].text;
const workerBundle = await bundleOf('worker.js');
const workerJs = workerBundle.outputFiles[0].text;
const css = (await transform(readFileSync(path.join(root, 'web', 'css', 'app.css'), 'utf8'), { loader: 'css', minify: true })).code;
const wasm = readFileSync(path.join(wasmDir, 'vramplan_core.wasm'));
const html = readFileSync(path.join(root, 'web', 'index.html'), 'utf8');

writeFileSync(path.join(outDir, 'app.js'), appJs);
writeFileSync(path.join(outDir, 'worker.js'), workerJs);
writeFileSync(path.join(outDir, 'app.css'), css);
writeFileSync(path.join(outDir, 'vramplan_core.wasm'), wasm);
cpSync(path.join(root, 'wasm', 'vramplan.js'), path.join(outDir, 'vramplan.js'));
cpSync(path.join(wasmDir, 'vramplan_core.js'), path.join(outDir, 'vramplan_core.js'));
writeFileSync(path.join(outDir, 'index.html'), html.replace(/<!--\/?(STYLE|SCRIPT|WASM)-->\n?/g, ''));

// worker.js is left out: a visit to the calculator never needs it, and offline the planner runs on the
// page's own thread when the worker cannot load (core.js).
const precache = ['./', 'index.html', 'app.js', 'app.css', 'vramplan_core.wasm'];
const version = createHash('sha256').update(appJs).update(workerJs).update(css).update(wasm).update(html).digest('hex').slice(0, 12);
const sw = readFileSync(path.join(root, 'web', 'sw.js'), 'utf8').replace('__VERSION__', version).replace('__FILES__', JSON.stringify(precache));
writeFileSync(path.join(outDir, 'sw.js'), sw);

// The single file: styles, script and the wasm (base64) inline; no preload hints, no service worker.
const inlineJs = appJs.replace(/<\/script/gi, '<\\/script');
const single = html
  .replace(/<!--STYLE-->[\s\S]*?<!--\/STYLE-->/, () => `<style>${css}</style>`)
  .replace(/<link rel="(modulepreload|preload)"[^>]*>\n?/g, '')
  .replace('<!--WASM-->', () => `<script type="application/octet-stream" id="vramplan-wasm">${wasm.toString('base64')}</script>`)
  .replace(/<!--SCRIPT-->[\s\S]*?<!--\/SCRIPT-->/, () => `<script type="module">${inlineJs}</script>`);
writeFileSync(path.join(outDir, 'vramplan.html'), single);

// Page weight: what a first visit to index.html downloads.
let raw = 0;
let gz = 0;
const rows = [];
for (const f of ['index.html', 'app.js', 'app.css', 'vramplan_core.wasm', 'sw.js']) {
  const b = readFileSync(path.join(outDir, f));
  const g = gzipSync(b, { level: 9 }).length;
  raw += b.length;
  gz += g;
  rows.push({ file: f, bytes: b.length, gzip: g });
}
// The planner's worker is fetched when the Planner view first plans (not by a visit to the calculator).
const wb = readFileSync(path.join(outDir, 'worker.js'));
const onDemand = [{ file: 'worker.js', bytes: wb.length, gzip: gzipSync(wb, { level: 9 }).length }];
const report = { files: rows, total_bytes: raw, total_gzip: gz, on_demand: onDemand, single_file_bytes: statSync(path.join(outDir, 'vramplan.html')).size, version };
writeFileSync(path.join(outDir, 'weight.json'), `${JSON.stringify(report, null, 2)}\n`);
for (const r of rows) console.log(`  ${r.file.padEnd(20)} ${String(r.bytes).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzipped`);
console.log(`  ${'page total'.padEnd(20)} ${String(raw).padStart(8)} B  ${String(gz).padStart(7)} B gzipped (budget 200000)`);
for (const r of onDemand) console.log(`  ${r.file.padEnd(20)} ${String(r.bytes).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzipped (Planner view, on demand)`);
console.log(`  ${'vramplan.html'.padEnd(20)} ${String(report.single_file_bytes).padStart(8)} B  (single file)`);
void readdirSync;
