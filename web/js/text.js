// The core's coded texts ({code, message, ...values}; values that are texts nest as {code, ...values},
// lists of texts are arrays) in English or Chinese. English is the core's own `message`; otherwise a
// text is rendered from its code's template with the C++ renderer's rules (core/src/common/text.cpp):
// the same placeholders, thousands separators, decimals (printf's rounding) and list separators, so an
// English render from the templates equals `message` (tests/js/text.test.js checks it on real results).
// The templates (core/text/*.json) arrive on demand: the Chinese ones with the page's Chinese strings
// (lang-zh.js), the English ones only where the page shows GiB (a {x:gb} value follows the GB/GiB switch).

const templates = { en: {}, zh: {}, fallback: {} }; // fallback: English templates of codes without Chinese

/** Adds templates: `lang` 'en' or 'zh'; `fallback` the English templates of codes that have no Chinese. */
export function addTemplates(lang, table, fallback = {}) {
  Object.assign(templates[lang], table);
  Object.assign(templates.fallback, fallback);
}

const SEPARATORS = { plus: ' + ', semi: '; ', times: ' x ', comma: ', ' };
const SEPARATORS_ZH = { ...SEPARATORS, semi: '；' }; // clauses joined in a Chinese sentence

/** printf("%.*f", d, x): the exact binary value rounded, ties to even (toFixed rounds ties away from zero). */
export function fixed(x, d) {
  const s = x.toFixed(d);
  if (!Number.isFinite(x)) return s;
  const long = Math.abs(x).toFixed(d + 25);
  if (!long.endsWith(`5${'0'.repeat(24)}`)) return s;
  const kept = long.slice(0, -25).replace(/\.$/, ''); // a tie: the truncated value, or s one step up
  const even = Number(kept[kept.length - 1]) % 2 === 0;
  return even ? (x < 0 ? `-${kept}` : kept) : s;
}

/** An integer with thousands separators: 1234567 -> "1,234,567" (the core's fmt_int, in both languages). */
export function thousands(n) {
  const digits = String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

function number(v, format, unit) {
  if (format === 'gb') return unit === 'GiB' ? `${fixed(v / 2 ** 30, 2)} GiB` : `${fixed(v / 1e9, 2)} GB`;
  if (format === 'gib') return `${fixed(v / 2 ** 30, 2)} GiB`;
  if (format === 'mib') return `${fixed(v / 1048576, 2)} MiB`;
  if (/^[0-6]$/.test(format)) return fixed(v, Number(format));
  return Number.isInteger(v) ? thousands(v) : fixed(v, 2);
}

function template(code, lang) {
  return (lang === 'zh' ? templates.zh[code] : undefined) ?? templates.en[code] ?? templates.fallback[code];
}

function value(v, format, lang, unit) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return number(v, format, unit);
  if (Array.isArray(v)) return v.map((x) => value(x, '', lang, unit)).join((lang === 'zh' ? SEPARATORS_ZH : SEPARATORS)[format] || ', ');
  if (typeof v === 'object') return fill(v, lang, unit);
  return String(v);
}

/** The text from its code's template and its values (a code without a template: its message, or the code). */
export function fill(text, lang, unit = 'GB') {
  const tpl = template(text.code, lang);
  if (tpl === undefined) return text.message ?? text.code;
  let out = '';
  for (let k = 0; k < tpl.length; k++) {
    const c = tpl[k];
    if ((c === '{' || c === '}') && tpl[k + 1] === c) {
      out += c;
      k++;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    const close = tpl.indexOf('}', k);
    if (close < 0) {
      out += tpl.slice(k);
      break;
    }
    const field = tpl.slice(k + 1, close);
    k = close;
    out += placeholder(text, field, lang, unit);
  }
  return out;
}

/** One "{name}", "{name:format}", "{name|one|other}" or "{name?}" of a template. */
function placeholder(text, field, lang, unit) {
  const bar = field.indexOf('|');
  const colon = field.indexOf(':');
  const end = Math.min(bar < 0 ? field.length : bar, colon < 0 ? field.length : colon);
  let name = field.slice(0, end);
  const optional = name.endsWith('?');
  if (optional) name = name.slice(0, -1);
  const has = name !== 'code' && name !== 'message' && Object.prototype.hasOwnProperty.call(text, name);
  if (!has) return optional ? '' : `{${field}}`;
  const v = text[name];
  if (bar >= 0) {
    const choices = field.slice(bar + 1);
    const second = choices.indexOf('|');
    if (v === 1) return second < 0 ? choices : choices.slice(0, second);
    return second < 0 ? '' : choices.slice(second + 1);
  }
  return value(v, colon < 0 ? '' : field.slice(colon + 1), lang, unit);
}

/**
 * A coded text in the page's language: {text, lang} with lang 'zh' where it was rendered from a Chinese
 * template and 'en' otherwise (an English string from a core that has no code for it yet, or a code
 * without Chinese). English is the core's message unless the page shows GiB and has the templates.
 */
export function say(text, lang = 'en', unit = 'GB') {
  if (text === null || text === undefined) return { text: '', lang: 'en' };
  if (typeof text !== 'object') return { text: String(text), lang: 'en' };
  if (lang === 'zh' && templates.zh[text.code] !== undefined) return { text: fill(text, 'zh', unit), lang: 'zh' };
  const english = templates.en[text.code] ?? templates.fallback[text.code];
  if (typeof text.message === 'string' && (unit !== 'GiB' || english === undefined)) return { text: text.message, lang: 'en' };
  return { text: fill(text, 'en', unit), lang: 'en' };
}
