// Formatting per locale and unit system, the page's strings in both languages, and the exports (the
// core's coded texts in them through text.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGB, formatBytes, formatInt, formatTokens, parseCount, formatParams, formatPercent } from '../../web/js/format.js';
import { STRINGS, t, detectLang, registerStrings } from '../../web/js/i18n.js';
import ZH from '../../web/js/strings-zh.js';
import { addTemplates, say } from '../../web/js/text.js';
import { readTemplates } from '../../web/templates.mjs';
import { markdownTable, embedSnippet } from '../../web/js/exporting.js';
import { chartSVG, stackData } from '../../web/js/chartdata.js';
import { DEFAULTS, fromQuery } from '../../web/js/state.js';
import { loadWrapper, root } from './helpers.js';

registerStrings('zh', ZH);
const templates = readTemplates(root);
addTemplates('en', templates.en);
addTemplates('zh', templates.zh);

test('GB and GiB', () => {
  assert.equal(formatGB(75349370778, 'GB', 'en'), '75.35 GB');
  assert.equal(formatGB(75349370778, 'GiB', 'en'), '70.17 GiB');
  assert.equal(formatGB(1234.5e9, 'GB', 'en'), '1,234.50 GB');
  assert.equal(formatGB(1234.5e9, 'GB', 'zh'), '1,234.50 GB');
  assert.equal(formatBytes(262144, 'GiB', 'en'), '256 KiB');
  assert.equal(formatBytes(262144, 'GB', 'en'), '262.1 KB');
  assert.equal(formatBytes(-2e9, 'GB', 'en'), '-2 GB');
  assert.equal(formatBytes(512, 'GB', 'en'), '512 B');
});

test('counts, tokens, params and percents', () => {
  assert.equal(formatInt(32763876352, 'en'), '32,763,876,352');
  assert.equal(formatTokens(4096), '4K');
  assert.equal(formatTokens(131072), '128K');
  assert.equal(formatTokens(1048576), '1M');
  assert.equal(formatTokens(16000), '16,000');
  assert.equal(formatParams(70553706496, 'en'), '70.55 B');
  assert.equal(formatParams(70553706496, 'zh'), '705.54 亿');
  assert.equal(formatPercent(0.8696, 'en'), '87.0%');
  for (const [text, n] of [['4k', 4096], ['128K', 131072], ['1m', 1048576], ['16,000', 16000], [' 8192 ', 8192]]) assert.equal(parseCount(text), n, text);
  for (const text of ['', 'abc', '-5', '4kk', '1e5']) assert.ok(Number.isNaN(parseCount(text)), text);
});

test('every page string exists in both languages (the Chinese table is its own module, loaded on demand)', () => {
  const en = Object.keys(STRINGS.en).sort();
  const zh = Object.keys(STRINGS.zh).sort();
  assert.deepEqual(zh, en);
  for (const k of en) {
    assert.ok(STRINGS.zh[k].length > 0, k);
    const p = (s) => (s.match(/\{\w+\}/g) || []).sort();
    assert.deepEqual(p(STRINGS.zh[k]), p(STRINGS.en[k]), `placeholders of ${k}`);
  }
  assert.equal(t('zh', 'verdict_nofit_total', { need: '9 GB', n: 2, cap: '8 GB' }), '总共需要 9 GB（2 张卡），现有 8 GB。');
  assert.equal(t('fr', 'inputs'), 'Deployment'); // a language without a table: English
});

test('language from the browser', () => {
  assert.equal(detectLang(['zh-CN', 'en']), 'zh');
  assert.equal(detectLang(['zh-TW']), 'zh');
  assert.equal(detectLang(['en-GB', 'zh']), 'en');
  assert.equal(detectLang(['fr-FR']), 'en');
});

const vp = await loadWrapper();

test('the verdict is the core\'s coded verdict, in either unit and language', () => {
  const fits = vp.estimate({ model: 'Qwen/QwQ-32B', workload: { context_tokens: 16000 }, hardware: { gpu: 'h100' } });
  assert.equal(fits.verdict.code, 'verdict.fits');
  assert.deepEqual(say(fits.verdict, 'en', 'GB'), { text: 'Fits on 1 x NVIDIA H100 SXM5 80GB: 75.35 GB of 85.52 GB per GPU, 10.17 GB free per GPU.', lang: 'en' });
  assert.deepEqual(say(fits.verdict, 'en', 'GiB'), { text: 'Fits on 1 x NVIDIA H100 SXM5 80GB: 70.17 GiB of 79.65 GiB per GPU, 9.47 GiB free per GPU.', lang: 'en' });
  const no = vp.estimate({ model: 'meta-llama/Meta-Llama-3-70B', hardware: { gpu: 'h100', count: 2, tensor_parallel: 1 } });
  assert.equal(no.verdict.code, 'verdict.no_fit');
  assert.match(say(no.verdict, 'en').text, /^Does not fit on 2 x NVIDIA H100 SXM5 80GB: needs 1\d\d\.\d\d GB per GPU, the GPU has 85\.52 GB/);
  // Chinese: from the core's Chinese template where it has one, else its English message
  const zh = say(no.verdict, 'zh', 'GiB');
  if ('verdict.no_fit' in templates.zh) assert.deepEqual([zh.lang, /GiB/.test(zh.text), /[\u4e00-\u9fff]/.test(zh.text)], ['zh', true, true]);
  else assert.deepEqual(zh, { text: say(no.verdict, 'en', 'GiB').text, lang: 'en' });
});

test('Markdown table and embed snippet', () => {
  const r = vp.estimate({ model: 'Qwen/QwQ-32B', workload: { context_tokens: 16000 }, hardware: { gpu: 'h100' } });
  const md = markdownTable(r, { lang: 'en', unit: 'GB' });
  assert.equal(md.split('\n')[2], r.verdict.message);
  assert.match(md, /\| Weights \| 65\.53 \| 65,527,752,704 \|/);
  assert.match(md, /\| \*\*Total per GPU\*\* \| 75\.35 \| 75,349,370,778 \|/);
  const zh = markdownTable(r, { lang: 'zh', unit: 'GiB' });
  assert.match(zh, /^\| 项目 \| GiB \| 字节 \|$/m);
  assert.ok(zh.includes(`| ${say(r.breakdown[0].label, 'zh', 'GiB').text} | 61.03 | 65,527,752,704 |`), zh);
  assert.equal(zh.split('\n')[2], say(r.verdict, 'zh', 'GiB').text);
  assert.match(zh.split('\n')[2], /GiB/);
  const snip = embedSnippet('https://x.example/', fromQuery('?model=Qwen/QwQ-32B&gpu=h100'), '600', 400, 'zh');
  assert.match(snip, /^<iframe src="https:\/\/x\.example\/\?model=Qwen%2FQwQ-32B&amp;gpu=h100&amp;.*embed=1" title="vramplan 显存计算" style="width:600px;height:400px;border:0"/);
  assert.ok(!embedSnippet('https://x/', { ...DEFAULTS, opts: {} }, '"><script>', 1).includes('"><script>'));
});

test('chart SVG from sweep points', () => {
  const s = vp.sweep({ model: 'Qwen/QwQ-32B', hardware: { gpu: 'h100' } }, 'context_tokens', [1024, 2048, 4096, 8192]);
  const d = stackData(s.points, 'GB');
  assert.equal(d.length, 6);
  assert.ok(Math.abs(d[4][3] - s.points[3].per_gpu_total / 1e9) < 1e-9);
  const svg = chartSVG(s.points, { title: 'T <&>', unit: 'GB', lang: 'en', current: 4096, xLabel: 'x', yLabel: 'y', legend: ['a', 'b', 'c', 'd', 'e'], colors: ['#1', '#2', '#3', '#4', '#5'], bg: '#fff', fg: '#000', grid: '#eee' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /T &lt;&amp;&gt;/);
  assert.equal((svg.match(/<polygon/g) || []).length, 4);
  assert.match(svg, /stroke-dasharray="6 4"/);
});
