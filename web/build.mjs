// Assembles the static site from the built wasm module and web/ (called by scripts/build-site):
//   OUT/index.html, app.js (the page's ES modules, bundled and minified), chunks/ (esbuild's code
//   splitting: planview-*.js, the Planner view, fetched the first time the Planner is shown; lang-zh-*.js,
//   the page's Chinese strings and the core's Chinese templates, fetched when the page is shown in
//   Chinese; texts-en-*.js, the core's English templates, fetched when English is shown in GiB; and
//   chunk-*.js, the modules app.js shares with the Planner), app.css, vramplan_calc.wasm (the page's own
//   module: the calculator's entry points), vramplan_core.wasm (the whole core), vramplan.js +
//   vramplan.d.ts + vramplan_core.js (the wrapper, its TypeScript declarations and the module glue, for
//   people embedding the module), worker.js (the planner's Web Worker: the wrapper + the whole core's
//   glue, loaded with vramplan_core.wasm when the Planner view first plans), sw.js (with its precache list), vramplan.html
//   (everything inlined, the Planner too: works from file://, where the planner runs on the page's
//   thread).
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { templateModules } from './templates.mjs';

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
cpSync(path.join(wasmDir, 'vramplan_calc.js'), path.join(stage, 'js', 'vramplan_calc.js'));
// The core's message templates as modules the page imports on demand (texts-zh.js with the page's Chinese
// strings in the chunk lang-zh.js; texts-en.js where English is shown in GiB).
for (const [name, text] of Object.entries(templateModules(root))) writeFileSync(path.join(stage, 'js', name), text);

mkdirSync(outDir, { recursive: true });
// Minified ES modules. `split`: the page as app.js plus chunks/ (a dynamic import() becomes a chunk
// fetched on demand; code it shares with app.js goes to a chunk app.js imports). Without it, one file
// with the dynamic imports inlined (the single-file page, the worker).
// The split page's own thread loads the calculator module (vramplan_calc: no planner), its Planner worker
// the whole core; the single file and the worker bundle keep the whole core (vramplan_core).
const calculatorGlue = {
  name: 'calculator-glue',
  setup(b) {
    b.onResolve({ filter: /^\.\/vramplan_core\.js$/ }, () => ({ path: path.join(stage, 'js', 'vramplan_calc.js') }));
  },
};
const bundleOf = (entry, name, split = false) =>
  build({
    plugins: split ? [calculatorGlue] : [],
    entryPoints: { [name]: path.join(stage, 'js', entry) },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: split,
    outdir: outDir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    target: ['es2020'],
    write: false,
    metafile: true,
    legalComments: 'none',
    nodePaths: [path.join(root, 'node_modules')],
    logLevel: 'warning',
  });
const rel = (file) => path.relative(outDir, file).split(path.sep).join('/');
const split = await bundleOf('main.js', 'app', true);
const appJs = split.outputFiles.find((f) => rel(f.path) === 'app.js').text;
const chunks = split.outputFiles.filter((f) => rel(f.path).startsWith('chunks/'));
// What the first view loads: app.js and the chunks it imports statically (the rest is on demand).
// (The metafile names outputs relative to absWorkingDir, the repository root.)
const staticImports = (file) =>
  split.metafile.outputs[path.relative(root, path.join(outDir, file))].imports
    .filter((i) => i.kind === 'import-statement')
    .map((i) => rel(path.resolve(root, i.path)));
const firstLoad = ['app.js'];
for (let i = 0; i < firstLoad.length; i++) for (const f of staticImports(firstLoad[i])) if (!firstLoad.includes(f)) firstLoad.push(f);
const lazyChunks = chunks.map((f) => rel(f.path)).filter((f) => !firstLoad.includes(f));
const single = await bundleOf('main.js', 'app');
const singleJs = single.outputFiles[0].text;
const workerBundle = await bundleOf('worker.js', 'worker');
const workerJs = workerBundle.outputFiles[0].text;
const css = (await transform(readFileSync(path.join(root, 'web', 'css', 'app.css'), 'utf8'), { loader: 'css', minify: true })).code;
const wasm = readFileSync(path.join(wasmDir, 'vramplan_core.wasm'));
const calcWasm = readFileSync(path.join(wasmDir, 'vramplan_calc.wasm'));
const html = readFileSync(path.join(root, 'web', 'index.html'), 'utf8');

writeFileSync(path.join(outDir, 'app.js'), appJs);
rmSync(path.join(outDir, 'chunks'), { recursive: true, force: true }); // a previous build's hashes
mkdirSync(path.join(outDir, 'chunks'));
for (const f of chunks) writeFileSync(f.path, f.contents);
writeFileSync(path.join(outDir, 'worker.js'), workerJs);
writeFileSync(path.join(outDir, 'app.css'), css);
writeFileSync(path.join(outDir, 'vramplan_core.wasm'), wasm);
writeFileSync(path.join(outDir, 'vramplan_calc.wasm'), calcWasm);
cpSync(path.join(root, 'wasm', 'vramplan.js'), path.join(outDir, 'vramplan.js'));
cpSync(path.join(root, 'wasm', 'vramplan.d.ts'), path.join(outDir, 'vramplan.d.ts'));
cpSync(path.join(wasmDir, 'vramplan_core.js'), path.join(outDir, 'vramplan_core.js'));
// The chunks app.js imports are preloaded beside it.
const preloads = firstLoad.map((f) => `<link rel="modulepreload" href="${f}">`).join('\n');
const page = html.replace('<link rel="modulepreload" href="app.js">', () => preloads);
writeFileSync(path.join(outDir, 'index.html'), page.replace(/<!--\/?(STYLE|SCRIPT|WASM)-->\n?/g, ''));

// The service worker precaches what the calculator in English needs. The on-demand chunks (the Planner,
// the Chinese texts, the English templates for GiB) and worker.js are cached when first fetched: a visit
// to the English calculator never needs them; offline before that the Planner says it cannot load, the
// page stays in English (the worker's absence alone only moves the planner onto the page's thread).
const precache = ['./', 'index.html', ...firstLoad, 'app.css', 'vramplan_calc.wasm'];
const onDemandFiles = [...lazyChunks, 'worker.js', 'vramplan_core.wasm'];
const hash = createHash('sha256');
for (const part of [appJs, ...chunks.map((f) => f.contents), workerJs, css, wasm, calcWasm, html]) hash.update(part);
const version = hash.digest('hex').slice(0, 12);
const sw = readFileSync(path.join(root, 'web', 'sw.js'), 'utf8')
  .replace('__VERSION__', version)
  .replace('__FILES__', JSON.stringify(precache))
  .replace('__ON_DEMAND__', JSON.stringify(onDemandFiles));
writeFileSync(path.join(outDir, 'sw.js'), sw);

// The single file: styles, script (the Planner inlined too) and the wasm (base64) inline; no preload
// hints, no service worker.
const inlineJs = singleJs.replace(/<\/script/gi, '<\\/script');
const singleHtml = html
  .replace(/<!--STYLE-->[\s\S]*?<!--\/STYLE-->/, () => `<style>${css}</style>`)
  .replace(/<link rel="(modulepreload|preload)"[^>]*>\n?/g, '')
  .replace('<!--WASM-->', () => `<script type="application/octet-stream" id="vramplan-wasm">${wasm.toString('base64')}</script>`)
  .replace(/<!--SCRIPT-->[\s\S]*?<!--\/SCRIPT-->/, () => `<script type="module">${inlineJs}</script>`);
writeFileSync(path.join(outDir, 'vramplan.html'), singleHtml);

// Page weight: what a first visit to index.html downloads.
let raw = 0;
let gz = 0;
const rows = [];
for (const f of ['index.html', ...firstLoad, 'app.css', 'vramplan_calc.wasm', 'sw.js']) {
  const b = readFileSync(path.join(outDir, f));
  const g = gzipSync(b, { level: 9 }).length;
  raw += b.length;
  gz += g;
  rows.push({ file: f, bytes: b.length, gzip: g });
}
// On demand (not by a visit to the English calculator): the Planner view's chunk when the Planner is first
// shown, its worker and the whole core when it first plans, the Chinese chunk when the page is first shown in Chinese.
const onDemand = onDemandFiles.map((file) => {
  const b = readFileSync(path.join(outDir, file));
  return { file, bytes: b.length, gzip: gzipSync(b, { level: 9 }).length };
});
const report = { files: rows, total_bytes: raw, total_gzip: gz, on_demand: onDemand, single_file_bytes: statSync(path.join(outDir, 'vramplan.html')).size, version };
writeFileSync(path.join(outDir, 'weight.json'), `${JSON.stringify(report, null, 2)}\n`);
for (const r of rows) console.log(`  ${r.file.padEnd(28)} ${String(r.bytes).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzipped`);
console.log(`  ${'first visit'.padEnd(28)} ${String(raw).padStart(8)} B  ${String(gz).padStart(7)} B gzipped (target 200000, interim guard 239000)`);
for (const r of onDemand) console.log(`  ${r.file.padEnd(28)} ${String(r.bytes).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzipped (on demand)`);
console.log(`  ${'vramplan.html'.padEnd(28)} ${String(report.single_file_bytes).padStart(8)} B  (single file)`);
