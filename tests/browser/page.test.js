// The page in Debian's Chromium (playwright-core; no browser download): numbers and texts equal the
// CLI's, both languages (the core's coded texts rendered as web/js/text.js renders them), the engines and
// their options from the core's table, the URL round trip, embed mode, offline reload, the single-file
// build from file://, errors next to the field, and no request leaving localhost.
// Needs a built site: scripts/build-site build/site (scripts/test does it), or VRAMPLAN_SITE_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { root, cliPath } from '../js/helpers.js';
import { readTemplates } from '../../web/templates.mjs';
import { addTemplates, say } from '../../web/js/text.js';

// What the page shows for a core text: the same renderer, the same templates as the site's build.
const templates = readTemplates(root);
addTemplates('en', templates.en);
addTemplates('zh', templates.zh);
const htmlLangOf = (text) => (text.code in templates.zh ? 'zh-CN' : 'en');

const site = path.resolve(root, process.env.VRAMPLAN_SITE_DIR || 'build/site');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

let server;
let origin;
let browser;

function serve() {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      let file = path.join(site, decodeURIComponent(url.pathname));
      if (!file.startsWith(site)) return res.writeHead(403).end();
      if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(readFileSync(file));
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

before(async () => {
  assert.ok(existsSync(path.join(site, 'index.html')), `no site at ${site}: run scripts/build-site ${site}`);
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath} (scripts/install-web-deps installs Debian's)`);
  server = await serve();
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'],
  });
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh context + page that records every request and page error, once `ready` holds in the page. */
async function openUntil(url, ready, options = {}, timeout = 30000) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(ready, null, { timeout });
  return { context, page, requests, errors };
}
/** The calculator, once its first verdict is drawn. */
const open = (url, options = {}) =>
  openUntil(url, () => document.querySelector('[data-testid=per-gpu-total]').dataset.bytes !== '', options);
const bytesShown = (page) => page.$eval('[data-testid=per-gpu-total]', (e) => Number(e.dataset.bytes));
const verdictText = (page) => page.textContent('#verdict');

function cli(request) {
  const p = spawnSync(cliPath, ['estimate', '-', '--json'], { input: JSON.stringify(request), encoding: 'utf8' });
  return JSON.parse(p.stdout);
}
const cliBusiest = (r) => Math.max(...r.per_gpu.map((g) => g.total));
const canCompare = existsSync(cliPath);
const cliEngines = () => JSON.parse(spawnSync(cliPath, ['catalog', 'engines', '--json'], { encoding: 'utf8' }).stdout).engines;

test('pick a model and a GPU: verdict and per-GPU bytes equal the CLI', { skip: !canCompare && 'no native CLI' }, async () => {
  const { context, page, requests, errors } = await open(`${origin}/?lang=en`);
  await page.click('#model');
  await page.fill('#model', 'QwQ 32');
  await page.waitForSelector('#model-list li[data-id="Qwen/QwQ-32B"]');
  await page.keyboard.press('Enter');
  await page.fill('#gpu', 'h100 sxm');
  await page.waitForSelector('#gpu-list li[data-id="nvidia-h100-sxm-80gb"]');
  await page.click('#gpu-list li[data-id="nvidia-h100-sxm-80gb"]');
  await page.fill('#context', '16000');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('context') === '16000' && new URLSearchParams(location.search).get('gpu') === 'nvidia-h100-sxm-80gb');
  const expected = cli({ model: 'Qwen/QwQ-32B', kv_cache_dtype: 'auto', engine: 'generic', workload: { context_tokens: 16000, concurrency: 1 }, hardware: { gpu: 'nvidia-h100-sxm-80gb', count: 1, tensor_parallel: 1, pipeline_parallel: 1 } });
  assert.equal(await bytesShown(page), cliBusiest(expected));
  assert.ok(expected.fits);
  assert.equal(expected.verdict.code, 'verdict.fits');
  assert.equal(await verdictText(page), expected.verdict.message); // the core's own verdict
  assert.equal(await page.getAttribute('#verdict', 'lang'), 'en');
  // the breakdown rows are the CLI's, and each expands to its formula
  const rows = await page.$$eval('#breakdown tbody tr:not(.explain) td:first-of-type', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(rows, expected.breakdown.map((b) => `${(b.bytes / 1e9).toFixed(2)} GB`));
  await page.click('#breakdown tbody tr:first-child .expander');
  assert.equal(await page.textContent('#breakdown tr.explain:not([hidden]) code'), expected.breakdown[0].explain.message);
  const labels = await page.$$eval('#breakdown tbody tr:not(.explain) th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(labels, expected.breakdown.map((b) => b.label.message));
  // a keystroke re-renders within a frame budget (measured by the page itself)
  await page.fill('#context', '32000');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('context') === '32000');
  const renderMs = await page.evaluate(() => performance.getEntriesByName('vramplan:render').at(-1).duration);
  console.log(`# keystroke -> verdict, bars, table and both charts: ${renderMs.toFixed(1)} ms`);
  // A figure, not a timed assertion (the brief: speed targets live in benchmarks that print them); a render
  // that never finished would have no measure at all.
  assert.ok(Number.isFinite(renderMs) && renderMs > 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')), []);
  await context.close();
});

test('vLLM: the engine figures name the release rule that ran, as the CLI reports it', { skip: !canCompare && 'no native CLI' }, async () => {
  for (const version of ['0.21', '0.11']) {
    const q = `?lang=en&model=meta-llama/Llama-3.1-8B-Instruct&gpu=nvidia-h100-sxm-80gb&engine=vllm&context=8192&o.engine_version=${version}`;
    const { context, page, errors } = await open(`${origin}/${q}`);
    const expected = cli({ model: 'meta-llama/Llama-3.1-8B-Instruct', engine: 'vllm', engine_options: { engine_version: version }, workload: { context_tokens: 8192, concurrency: 1 }, hardware: { gpu: 'nvidia-h100-sxm-80gb', count: 1 } });
    const shown = await page.textContent('#engine-report');
    assert.ok(shown.includes(expected.engine_report.engine_rule), `${version}: ${expected.engine_report.engine_rule} not in ${shown.slice(0, 200)}`);
    assert.equal(await bytesShown(page), cliBusiest(expected));
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a not-fitting deployment says so, with the CLI numbers', { skip: !canCompare && 'no native CLI' }, async () => {
  const q = '?model=meta-llama/Meta-Llama-3-70B&gpu=nvidia-h100-sxm-80gb&count=2&tp=1&context=4096&concurrency=32&lang=en';
  const { context, page } = await open(origin + '/' + q);
  const expected = cli({ model: 'meta-llama/Meta-Llama-3-70B', workload: { context_tokens: 4096, concurrency: 32 }, hardware: { gpu: 'nvidia-h100-sxm-80gb', count: 2, tensor_parallel: 1, pipeline_parallel: 1 } });
  assert.equal(expected.fits, false);
  assert.equal(await bytesShown(page), cliBusiest(expected));
  assert.equal(expected.verdict.code, 'verdict.no_fit');
  assert.equal(await verdictText(page), expected.verdict.message);
  assert.match(expected.verdict.message, new RegExp(`needs ${(cliBusiest(expected) / 1e9).toFixed(2)} GB per GPU`));
  assert.equal(await page.getAttribute('#verdict', 'class'), 'verdict bad');
  await context.close();
});

test('the README question: Llama-3-70B FP8, 32 users × 4k on H100s; GPUs that fit list it', async () => {
  const { context, page } = await open(`${origin}/?model=meta-llama/Meta-Llama-3-70B&weights=fp8&context=4096&concurrency=32&gpu=nvidia-h100-sxm-80gb&count=2&lang=en`);
  assert.match(await verdictText(page), /^Fits on 2 x NVIDIA H100 SXM5 80GB: [\d.]+ GB of 85\.52 GB per GPU, [\d.]+ GB free per GPU\.$/);
  await page.waitForSelector('#fitlist .fit-btn');
  const fit = await page.$$eval('#fitlist .fit-btn', (b) => b.map((x) => x.getAttribute('aria-label')));
  assert.ok(fit.some((s) => /^Use 2 × NVIDIA H100 SXM5 80GB$/.test(s)), fit.join('\n'));
  await page.waitForFunction(() => document.querySelector('#inverse dd')?.dataset.value);
  const maxCtx = Number(await page.$eval('#inverse dd', (d) => d.dataset.value));
  assert.ok(maxCtx > 4096, `max context ${maxCtx}`);
  await context.close();
});

test('language: from the browser, switchable, every visible string changes; core texts in the chosen unit', { skip: !canCompare && 'no native CLI' }, async () => {
  const expected = cli({ model: 'Qwen/QwQ-32B', workload: { context_tokens: 8192, concurrency: 1 }, hardware: { gpu: 'nvidia-h100-sxm-80gb', count: 1 } });
  const { context, page, errors } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb`, { locale: 'zh-CN' });
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  // the core's verdict from its Chinese template (its English message while the core has none), marked so
  assert.equal(await verdictText(page), say(expected.verdict, 'zh').text);
  assert.equal(await page.getAttribute('#verdict', 'lang'), htmlLangOf(expected.verdict));
  assert.equal(await page.textContent('#inputs-h'), '部署');
  assert.equal(await page.textContent('#breakdown thead th'), '项目');
  const firstLabel = expected.breakdown[0].label;
  assert.equal(await page.getAttribute('#breakdown tbody tr:first-child .expander', 'lang'), htmlLangOf(firstLabel));
  assert.equal((await page.textContent('#breakdown tbody tr:first-child .expander')).trim(), say(firstLabel, 'zh').text);
  await page.click('#lang-en');
  await page.waitForFunction(() => document.getElementById('inputs-h').textContent === 'Deployment');
  assert.equal(await verdictText(page), expected.verdict.message);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('lang') === 'en');
  // GiB: the core's {x:gb} values follow the switch (English templates fetched on demand)
  await page.click('#unit-GiB');
  await page.waitForFunction(() => document.querySelector('[data-testid=per-gpu-total]').textContent.endsWith('GiB'));
  await page.waitForFunction((v) => document.getElementById('verdict').textContent === v, say(expected.verdict, 'en', 'GiB').text);
  assert.match(await verdictText(page), /GiB free per GPU\.$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('URL round trip: the state in the link restores every input', async () => {
  const q = '?model=meta-llama/Meta-Llama-3-70B&gpu=nvidia-h100-sxm-80gb&count=4&pp=2&context=32768&concurrency=8&weights=gguf-Q4_K_M&kv=q8_0&unit=GiB&lang=en&o.max_batched_tokens=4096';
  const { context, page } = await open(origin + '/' + q);
  const back = new URLSearchParams(new URL(page.url()).search);
  for (const [k, v] of new URLSearchParams(q)) assert.equal(back.get(k), v, k);
  assert.equal(await page.inputValue('#weights'), 'gguf-Q4_K_M');
  assert.equal(await page.inputValue('#kv'), 'q8_0');
  assert.equal(await page.inputValue('#context'), '32768');
  assert.equal(await page.inputValue('#pp'), '2');
  assert.equal(await page.inputValue('#opt-max_batched_tokens'), '4096');
  assert.equal(await page.inputValue('#gpu'), 'NVIDIA H100 SXM5 80GB');
  // an alias in the link becomes the catalog id
  const { page: p2, context: c2 } = await open(`${origin}/?model=llama-3-70b&gpu=h100`);
  await p2.waitForFunction(() => new URLSearchParams(location.search).get('gpu') === 'nvidia-h100-sxm-80gb');
  assert.equal(new URLSearchParams(new URL(p2.url()).search).get('model'), 'meta-llama/Meta-Llama-3-70B');
  await c2.close();
  await context.close();
});

test('a malformed pasted config shows an error next to the field, in the user language', async () => {
  const { context, page } = await open(`${origin}/?lang=zh`);
  await page.click('#tab-config');
  await page.fill('#cfg', '{"hidden_size": 4096,');
  await page.waitForFunction(() => document.getElementById('err-cfg').textContent !== '');
  assert.match(await page.textContent('#err-cfg'), /^不是有效的 JSON/);
  assert.equal(await page.getAttribute('#cfg', 'aria-invalid'), 'true');
  await page.fill('#cfg', '{"hidden_size": 4096}');
  await page.waitForFunction(() => document.getElementById('err-cfg').textContent.includes('num_hidden_layers'));
  await page.click('#cfg-template');
  await page.waitForFunction(() => document.getElementById('err-cfg').textContent === '' && new URLSearchParams(location.search).get('cfg'));
  // an invalid count shows next to the count
  await page.fill('#count', '3');
  await page.fill('#tp', '2');
  await page.waitForFunction(() => document.getElementById('err-count').textContent.includes('multiple'));
  await context.close();
});

test('what the config could not model stands beside the verdict, in English and in Chinese', async () => {
  // A Llama config with Gemma-4's per-layer input embeddings and an audio tower: keys that size memory the tool
  // does not model. The core names them (import.keys_not_read); the page shows that beside the verdict.
  const cfg = JSON.stringify({
    model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32,
    num_key_value_heads: 8, vocab_size: 128256, hidden_size_per_layer_input: 256, audio_config: { hidden_size: 1536 },
  });
  for (const [lang, words] of [['en', /2 config keys the tool does not model: audio_config, hidden_size_per_layer_input/], ['zh', /配置中有 2 个字段工具未建模：audio_config, hidden_size_per_layer_input/]]) {
    const { context, page, errors } = await open(`${origin}/?lang=${lang}&gpu=nvidia-h100-sxm-80gb`);
    await page.click('#tab-config');
    await page.fill('#cfg', cfg);
    await page.waitForFunction(() => !document.getElementById('verdict-warnings').hidden);
    const shown = await page.textContent('#verdict-warnings');
    assert.match(shown, words);
    // inside the verdict card, not only in the warnings card at the bottom
    assert.equal(await page.$eval('#verdict-warnings', (e) => e.closest('#verdict-card') !== null), true);
    assert.equal(await page.$$eval('#warnings li', (l) => l.filter((x) => x.textContent.includes('hidden_size_per_layer_input')).length), 0);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('embed mode: minimal chrome, preset from the URL, snippet generator', async () => {
  const { context, page } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb&lang=en`);
  await page.waitForFunction(() => document.getElementById('embed-code').value.includes('QwQ-32B'));
  const snippet = await page.inputValue('#embed-code');
  const src = /src="([^"]+)"/.exec(snippet)[1].replace(/&amp;/g, '&');
  assert.ok(src.includes('embed=1'));
  const { context: c2, page: p2 } = await open(src.replace(/^https?:\/\/[^/]+/, origin));
  assert.equal(await p2.isVisible('#inputs'), false);
  assert.equal(await p2.isVisible('#breakdown'), false);
  assert.equal(await p2.isVisible('#verdict'), true);
  assert.equal(await p2.isVisible('#open-full'), true);
  assert.equal(await bytesShown(p2), await bytesShown(page));
  await c2.close();
  await context.close();
});

test('offline: after the first visit the service worker serves the page', async () => {
  const { context, page } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb`);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const before = await bytesShown(page);
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid=per-gpu-total]').dataset.bytes !== '');
  assert.equal(await bytesShown(page), before);
  await context.close();
});

test('first visit: within the page budget, and the Planner\'s chunk and worker are not fetched until the Planner is opened', async () => {
  const weight = JSON.parse(readFileSync(path.join(site, 'weight.json'), 'utf8'));
  // Issue 16's target is 200,000 B gzipped for the finished page. Issue 10 (checkpoint quantization, vision
  // towers, hybrid layers, 81 GPUs) grew the calculator's module by 25 KB, and its catalog of 100+ models (103:
  // +17 configs) by 4.5 KB more, of which dropping the importer's no-memory keys from the embedded configs won back
  // 2.0 KB. Issue 11's per-release engine rules (vLLM's five, SGLang's three, the profile peak's phases, the PP
  // layer split) added 2.9 KB after shortening long texts. Until issue 16's size work lands this guard holds the
  // first visit at 239,000 B, so it cannot grow unnoticed (README "The web page").
  assert.ok(weight.total_gzip <= 239000, `first visit ${weight.total_gzip} B gzipped, interim budget 239000`);
  const firstVisit = weight.files.map((f) => f.file);
  const onDemand = weight.on_demand.map((f) => f.file);
  assert.ok(onDemand.some((f) => /^chunks\/planview-\w+\.js$/.test(f)), onDemand.join(' '));
  assert.ok(onDemand.includes('worker.js'));
  const { context, page, requests, errors } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb&lang=en`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const files = (list) => [...new Set(list.filter((u) => u.startsWith(origin)).map((u) => new URL(u).pathname.slice(1).replace(/^$/, 'index.html')))];
  const calc = files(requests);
  // Everything the calculator fetched is counted in the first-visit weight, and nothing on demand is fetched.
  assert.deepEqual(calc.filter((f) => !firstVisit.includes(f)), []);
  assert.deepEqual(calc.filter((f) => onDemand.includes(f)), []);
  // Opening the Planner fetches its chunk (then the worker, for the first plan) and draws the plan.
  await page.click('#view-plan');
  await page.waitForFunction(() => document.getElementById('plan-little').dataset.value !== '');
  const planner = files(requests).filter((f) => !calc.includes(f));
  assert.ok(planner.some((f) => /^chunks\/planview-\w+\.js$/.test(f)), planner.join(' '));
  assert.deepEqual(planner.filter((f) => !onDemand.includes(f)), []);
  assert.deepEqual(planner.filter((f) => /^chunks\/lang-zh-/.test(f)), []);
  assert.deepEqual(errors, []);
  await context.close();
  // A Chinese first visit: the same files plus the Chinese chunk (fetched beside the wasm), nothing else.
  assert.ok(onDemand.some((f) => /^chunks\/lang-zh-\w+\.js$/.test(f)), onDemand.join(' '));
  const zh = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb`, { locale: 'zh-CN' });
  const zhFiles = files(zh.requests);
  assert.deepEqual(zhFiles.filter((f) => !firstVisit.includes(f) && !/^chunks\/lang-zh-\w+\.js$/.test(f)), []);
  assert.ok(zhFiles.some((f) => /^chunks\/lang-zh-\w+\.js$/.test(f)), zhFiles.join(' '));
  assert.equal(await zh.page.textContent('#inputs-h'), '部署');
  assert.deepEqual(zh.errors, []);
  await zh.context.close();
});

test('engines: the picker lists every engine of the core; Ollama shows its own options, the host RAM, the core\'s errors beside the option', { skip: !canCompare && 'no native CLI' }, async () => {
  const engines = cliEngines();
  assert.equal(engines.length, 10);
  const { context, page, errors } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-rtx-4090&weights=gguf-Q4_K_M&context=8192&lang=en`);
  await page.waitForFunction((n) => document.querySelectorAll('#engine option').length === n, engines.length);
  const listed = await page.$$eval('#engine option', (o) => o.map((x) => ({ value: x.value, text: x.textContent, title: x.title })));
  assert.deepEqual(listed, engines.map((e) => ({ value: e.id, text: e.name, title: e.doc })));
  await page.click('#engine-box summary');
  await page.selectOption('#engine', 'ollama');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('engine') === 'ollama');
  // its options, in the core's order: each named as the engine names it, with its alias and flag
  const ollama = engines.find((e) => e.id === 'ollama');
  assert.deepEqual(await page.$$eval('#opts .opt', (f) => f.map((x) => x.dataset.option)), ollama.options.map((o) => o.name));
  const nCtx = ollama.options.find((o) => o.name === 'n_ctx');
  assert.equal(nCtx.alias, 'num_ctx');
  assert.deepEqual(await page.$$eval('label[for=opt-n_ctx] code', (c) => c.map((x) => x.textContent)), ['n_ctx', 'num_ctx']);
  assert.match(await page.textContent('label[for=opt-n_ctx]'), /-c$/);
  assert.deepEqual(await page.$eval('#opt-n_ctx', (i) => [i.type, i.min, i.max, i.placeholder]), ['number', String(nCtx.min), String(nCtx.max), 'auto']);
  assert.equal(await page.textContent('#opt-n_ctx-doc'), nCtx.doc);
  assert.deepEqual(await page.$$eval('#opt-flash_attn option', (o) => o.map((x) => x.value)), ['', 'on', 'off', 'auto']);
  assert.equal(await page.$eval('#opt-n_ubatch', (i) => i.placeholder), 'default: 512');
  // the KV dtypes are the engine's own
  assert.deepEqual(await page.$$eval('#kv option', (o) => o.map((x) => x.value)), ollama.kv_cache_dtypes);
  // the host RAM the result reports is shown, and the numbers are the CLI's
  const req = { model: 'Qwen/QwQ-32B', weights: 'gguf-Q4_K_M', kv_cache_dtype: 'auto', engine: 'ollama', workload: { context_tokens: 8192, concurrency: 1 }, hardware: { gpu: 'nvidia-rtx-4090', count: 1, tensor_parallel: 1, pipeline_parallel: 1 } };
  const expected = cli(req);
  assert.ok(expected.host.bytes > 0);
  await page.waitForFunction((b) => document.getElementById('host-bytes').dataset.bytes === String(b), expected.host.bytes);
  assert.equal(await page.isVisible('#host-bytes'), true);
  assert.equal(await page.textContent('#host-bytes'), `+ ${(expected.host.bytes / 1e9).toFixed(2)} GB of system RAM`);
  assert.equal(await bytesShown(page), cliBusiest(expected));
  assert.equal(await verdictText(page), expected.verdict.message);
  assert.deepEqual(await page.$$eval('#warnings li', (l) => l.map((x) => x.textContent)), expected.warnings.map((w) => w.message));
  // an option: into the URL as o.n_ctx, and the CLI's numbers for it
  await page.fill('#opt-n_ctx', '16384');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('o.n_ctx') === '16384');
  const bigger = cli({ ...req, engine_options: { n_ctx: 16384 } });
  await page.waitForFunction((b) => document.querySelector('[data-testid=per-gpu-total]').dataset.bytes === String(b), cliBusiest(bigger));
  // a value the core refuses: its message beside that option
  await page.fill('#opt-n_ctx', '-3');
  await page.waitForFunction(() => document.getElementById('err-opt-n_ctx').textContent !== '');
  assert.match(await page.textContent('#err-opt-n_ctx'), /^n_ctx must be an integer/);
  assert.equal(await page.getAttribute('#opt-n_ctx', 'aria-invalid'), 'true');
  assert.equal(await page.isVisible('#err-opt-n_ctx'), true);
  assert.deepEqual(errors, []);
  await context.close();
  // Ollama's own name in a link fills the n_ctx field; leaving the engine drops the options it does not take
  const alias = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-rtx-4090&engine=ollama&o.num_ctx=4096&o.n_ubatch=256&lang=en`);
  await alias.page.waitForFunction(() => document.getElementById('opt-n_ctx') && document.getElementById('opt-n_ctx').value === '4096');
  assert.equal(await alias.page.inputValue('#opt-n_ubatch'), '256');
  await alias.page.click('#engine-box summary');
  await alias.page.selectOption('#engine', 'vllm');
  await alias.page.waitForFunction(() => new URLSearchParams(location.search).get('engine') === 'vllm');
  const q = new URLSearchParams(new URL(alias.page.url()).search);
  assert.deepEqual([...q.keys()].filter((k) => k.startsWith('o.')), []);
  assert.equal(await alias.page.isVisible('#opt-gpu_memory_utilization'), true);
  await alias.context.close();
});

test('offline: a Chinese first visit stays Chinese offline (its chunk joins the service worker\'s cache)', async () => {
  const { context, page } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb&lang=zh`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // the cache holds the Chinese chunk once the worker took the page's list
  await page.waitForFunction(async () => {
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      if (keys.some((r) => /\/chunks\/lang-zh-\w+\.js$/.test(r.url))) return true;
    }
    return false;
  });
  const before = await verdictText(page);
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid=per-gpu-total]').dataset.bytes !== '');
  assert.equal(await page.textContent('#inputs-h'), '部署');
  assert.equal(await verdictText(page), before);
  await context.close();
});

test('offline: the Planner works once its chunk was fetched (the service worker cached it)', async () => {
  const { context, page } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb&lang=en`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForFunction(() => document.querySelector('[data-testid=per-gpu-total]').dataset.bytes !== '');
  await page.click('#view-plan');
  await page.waitForFunction(() => document.getElementById('plan-little').dataset.value !== '');
  const online = await page.textContent('#plan-verdict');
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.getElementById('plan-little').dataset.value !== '');
  assert.equal(await page.textContent('#plan-verdict'), online);
  await context.close();
});

test('the single-file build works from file:// with no request at all', async () => {
  const file = path.join(site, 'vramplan.html');
  const url = `${pathToFileURL(file).href}?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb&context=16000&lang=en`;
  const { context, page, requests, errors } = await open(url);
  assert.match(await verdictText(page), /^Fits on 1 x NVIDIA H100 SXM5 80GB: [\d.]+ GB of 85\.52 GB per GPU, [\d.]+ GB free per GPU\.$/);
  if (canCompare) assert.equal(await bytesShown(page), cliBusiest(cli({ model: 'Qwen/QwQ-32B', workload: { context_tokens: 16000 }, hardware: { gpu: 'nvidia-h100-sxm-80gb' } })));
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:')), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('first verdict after a cold load (budget 500 ms on localhost)', async () => {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const { context, page } = await open(`${origin}/?model=Qwen/QwQ-32B&gpu=nvidia-h100-sxm-80gb`);
    times.push(await page.evaluate(() => performance.getEntriesByName('vramplan:first-verdict')[0].startTime));
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`# first verdict, cold: ${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${times[1].toFixed(0)})`);
  // Asserted loosely: CI machines are shared; the README reports the measured figure.
  assert.ok(times[1] < 3000);
});

// ---------- the Planner view ----------
function cliPlan(request) {
  const p = spawnSync(cliPath, ['plan', '-', '--json'], { input: JSON.stringify(request), encoding: 'utf8' });
  return JSON.parse(p.stdout);
}
/** The request the page makes for ?view=plan&model=…&qps=…&ttft=…&tpot=…&formats=bf16,fp8 (state.js toPlanRequest). */
const planRequest = (patch = {}) => ({
  model: 'meta-llama/Meta-Llama-3-70B', workload: { qps: 50, prompt_tokens: 1000, output_tokens: 500 }, slo: { ttft_ms: 2000, tpot_ms: 100 },
  candidates: { max_gpus: 64 }, weights: ['bf16', 'fp8'], kv_cache_dtypes: ['auto'], engine: 'vllm', ...patch,
});
const SEED_PLAN_URL = '/?view=plan&model=meta-llama/Meta-Llama-3-70B&qps=50&ttft=2000&tpot=100&formats=bf16,fp8';

/** The Planner view, once its first plan is drawn. */
const openPlan = (url, options = {}) =>
  openUntil(url, () => document.getElementById('plan-little').dataset.value !== '', options);
const firstRow = (page) => page.$eval('#plans tbody tr', (tr) => ({ gpu: tr.dataset.gpu, total: Number(tr.dataset.totalGpus), weights: tr.dataset.weights, cells: [...tr.cells].map((c) => c.textContent) }));
const near = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

test('Planner: the seed example (Llama-3-70B, 50 req/s) shows the CLI’s best plan, concurrency and launch command', { skip: !canCompare && 'no native CLI' }, async () => {
  const expected = cliPlan(planRequest());
  const best = expected.plans[0];
  const { context, page, requests, errors } = await openPlan(`${origin}${SEED_PLAN_URL}&lang=en`);
  assert.equal(await page.getAttribute('#view-plan', 'aria-selected'), 'true');
  assert.equal(await page.isVisible('#verdict-card'), false);
  // the engine choice: every engine of the core
  await page.waitForFunction(() => document.querySelectorAll('#p-engine option').length > 1);
  assert.deepEqual(await page.$$eval('#p-engine option', (o) => o.map((x) => x.value)), cliEngines().map((e) => e.id));
  assert.equal(await page.inputValue('#p-engine'), 'vllm');
  // Little's law: the concurrency and its one-line explanation
  assert.ok(near(Number(await page.getAttribute('#plan-little', 'data-value')), expected.concurrency));
  const little = await page.textContent('#plan-little');
  assert.ok(little.startsWith(`≈ ${Math.round(expected.concurrency).toLocaleString('en-US')} requests in flight — Little's law: L = λ × W = 50/s × `), little);
  // the first row is the CLI's first plan
  const row = await firstRow(page);
  assert.deepEqual([row.gpu, row.total, row.weights], [best.gpu, best.total_gpus, best.weights]);
  assert.equal(row.cells[1], best.gpu_name);
  assert.equal(row.cells[2], `${best.total_gpus} = ${best.replicas} × (${best.tensor_parallel}×${best.pipeline_parallel})`);
  assert.equal(row.cells[4], `${(best.per_gpu_total / 1e9).toFixed(2)} / ${(best.capacity / 1e9).toFixed(2)}`);
  assert.equal(await page.textContent('#col-mem'), 'Memory per GPU (GB)');
  assert.equal(row.cells[5], `${Math.round(best.ttft_ms).toLocaleString('en-US')} ms`);
  assert.equal(row.cells[8], best.cost_per_hour.toLocaleString('en-US', { maximumFractionDigits: 2 }));
  assert.equal(row.cells[10], best.meets_slo ? '✓' : `✗${best.why.message}`);
  assert.equal(await page.getAttribute('#plans tbody tr td.why', 'title'), best.why.message);
  assert.equal(await page.$$eval('#plans tbody tr', (r) => r.length), Math.min(15, expected.plans.length));
  assert.equal(await page.textContent('#plan-verdict'), `Cheapest plan meeting the targets: ${best.total_gpus} × ${best.gpu_name}, ${best.weights}, $${best.cost_per_hour.toLocaleString('en-US', { maximumFractionDigits: 2 })}/h.`);
  // the selected plan: its memory bar and its launch command, with a copy button
  assert.equal(await page.textContent('#plan-cmd'), best.launch_command);
  assert.equal(await page.getAttribute('#plan-copy', 'data-command'), best.launch_command);
  assert.match(await page.textContent('#plan-bars .bar-value'), new RegExp(`^${(best.per_gpu_total / 1e9).toFixed(2)} GB / `));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await page.click('#plan-copy');
  await page.waitForFunction(() => document.getElementById('toast').textContent !== '');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), best.launch_command);
  // the Pareto chart: a dot per priced plan, the front highlighted, exportable
  const priced = expected.plans.filter((p) => typeof p.cost_per_hour === 'number').length;
  assert.equal(await page.$$eval('#chart-pareto circle[data-i]', (c) => c.length), priced);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="pareto:svg"]')]);
  assert.equal(download.suggestedFilename(), 'vramplan-pareto.svg');
  // the rejected families open with their reasons
  await page.click('#rejected-box summary');
  await page.waitForFunction(() => document.querySelectorAll('#rejected li').length > 0); // drawn on the (async) toggle event
  assert.equal(await page.$$eval('#rejected li', (l) => l.length), expected.rejected.length);
  const ms = await page.evaluate(() => performance.getEntriesByName('vramplan:plan').map((e) => e.duration));
  console.log(`# Planner, seed example, whole catalog: ${ms.map((x) => x.toFixed(0)).join(', ')} ms (first includes starting the worker)`);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')), []);
  await context.close();
});

test('Planner: 中文 translates the view, an input change re-plans (debounced), the keyboard switches views', { skip: !canCompare && 'no native CLI' }, async () => {
  const seed = cliPlan(planRequest());
  const { context, page, errors } = await openPlan(`${origin}${SEED_PLAN_URL}&lang=en`);
  await page.click('#lang-zh');
  await page.waitForFunction(() => document.getElementById('plan-verdict').textContent.startsWith('满足目标的最便宜方案'));
  assert.equal(await page.textContent('#view-plan'), '部署规划');
  assert.equal(await page.textContent('#inputs-h'), '负载与目标');
  assert.ok((await page.$$eval('#plans thead th', (t) => t.map((x) => x.textContent))).includes('每卡显存（GB）'));
  assert.match(await page.textContent('#plan-little'), /^约 [\d,]+ 个请求同时在处理——利特尔法则/);
  // the plan's reason: the core's coded text in Chinese (its English while the core has no Chinese for it)
  assert.equal(await page.getAttribute('#plans tbody tr td.why', 'title'), say(seed.plans[0].why, 'zh').text);
  assert.equal(await page.textContent('#plan-copy'), '复制命令');
  // a tighter TPOT target: the URL and the plans follow, equal to the CLI
  const before = await page.getAttribute('#plan-little', 'data-value');
  await page.fill('#p-tpot', '30');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('tpot') === '30');
  await page.waitForFunction((b) => document.getElementById('plan-little').dataset.value !== b, before);
  const expected = cliPlan(planRequest({ slo: { ttft_ms: 2000, tpot_ms: 30 } }));
  const row = await firstRow(page);
  assert.deepEqual([row.gpu, row.total, row.weights], [expected.plans[0].gpu, expected.plans[0].total_gpus, expected.plans[0].weights]);
  assert.ok(near(Number(await page.getAttribute('#plan-little', 'data-value')), expected.concurrency));
  // the view tabs: arrow keys move between them, the URL follows
  await page.focus('#view-plan');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => !new URLSearchParams(location.search).has('view'));
  assert.equal(await page.getAttribute('#view-calc', 'aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'view-calc');
  await page.waitForFunction(() => document.querySelector('[data-testid=per-gpu-total]').dataset.bytes !== '');
  assert.equal(await page.isVisible('#plans'), false);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'plan');
  assert.equal(await page.isVisible('#plans'), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Planner: a bad input shows its error beside the field; the single file plans from file:// without a worker', async () => {
  const { context, page } = await openPlan(`${origin}${SEED_PLAN_URL}&lang=en`);
  await page.fill('#p-prompt', 'lots');
  await page.waitForFunction(() => document.getElementById('err-p-prompt').textContent !== '');
  assert.equal(await page.getAttribute('#p-prompt', 'aria-invalid'), 'true');
  // an engine without a launcher (transformers): the core's note in place of the command, nothing to copy
  await page.fill('#p-prompt', '1000');
  assert.equal(await page.isVisible('#plan-copy'), true);
  await page.selectOption('#p-engine', 'transformers');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('pengine') === 'transformers');
  await page.waitForFunction(() => document.getElementById('plan-copy').hidden);
  assert.equal(await page.getAttribute('#plan-copy', 'data-command'), '');
  if (canCompare) {
    const note = cliPlan(planRequest({ engine: 'transformers' })).plans[0].launch_note;
    assert.equal(await page.textContent('#plan-cmd'), note.message);
  }
  await context.close();
  const file = `${pathToFileURL(path.join(site, 'vramplan.html')).href}${SEED_PLAN_URL.slice(1)}&lang=en`;
  const single = await openPlan(file);
  assert.match(await single.page.textContent('#plan-verdict'), /^Cheapest plan meeting the targets: /);
  assert.deepEqual(single.requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:')), []);
  assert.deepEqual(single.errors, []);
  await single.context.close();
});
