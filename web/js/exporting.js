// Text exports: the Markdown table and the embed snippet. Pure (tested in node).
import { formatGB, formatInt, formatTokens } from './format.js';
import { toQuery } from './state.js';
import { t as tr } from './i18n.js';
import { say } from './text.js';

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The breakdown of the busiest GPU as a Markdown table, headed by the verdict (the core's texts in `lang`). */
export function markdownTable(result, { lang = 'en', unit = 'GB', t = (k, p) => tr(lang, k, p) } = {}) {
  const rq = result.request;
  const lines = [];
  lines.push(`**${cell(result.model.name || result.model.id || 'config.json')}** · ${cell(result.weights.label || rq.weights)} · ${formatTokens(rq.context_tokens, lang)} × ${formatInt(rq.concurrency, lang)} · ${formatInt(rq.count, lang)} × ${cell(rq.gpu_name || rq.gpu)} (TP ${rq.tensor_parallel}, PP ${rq.pipeline_parallel})`);
  lines.push('');
  lines.push(say(result.verdict, lang, unit).text);
  lines.push('');
  lines.push(`| ${t('md_item')} | ${unit} | ${t('md_bytes')} |`);
  lines.push('|---|---:|---:|');
  for (const b of result.breakdown) {
    const name = say(b.label, lang, unit).text;
    const row = `| ${cell(name)} | ${formatGB(b.bytes, unit, lang).replace(` ${unit}`, '')} | ${formatInt(b.bytes, lang)} |`;
    lines.push(b.id === 'total' ? row.replace(/\| ([^|]+) \|/, '| **$1** |') : row);
  }
  const cap = result.per_gpu[0] && result.per_gpu[0].capacity;
  if (cap) lines.push(`| ${t('capacity')} | ${formatGB(cap, unit, lang).replace(` ${unit}`, '')} | ${formatInt(cap, lang)} |`);
  return `${lines.join('\n')}\n`;
}

const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** An <iframe> for a blog post, preset to the state, in embed mode. */
export function embedSnippet(pageUrl, state, width = '100%', height = 360, lang = 'en') {
  const src = pageUrl + toQuery({ ...state, embed: true, lang: state.lang || lang });
  const w = /^\d+$/.test(String(width).trim()) ? `${String(width).trim()}px` : String(width).trim() || '100%';
  const title = lang === 'zh' ? 'vramplan 显存计算' : 'vramplan GPU memory estimate';
  return `<iframe src="${attr(src)}" title="${attr(title)}" style="width:${attr(w)};height:${Number(height) || 360}px;border:0" loading="lazy"></iframe>`;
}
