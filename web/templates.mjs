// The core's message templates (core/text/*.json: {"code": {"en": "…", "zh": "…"}}) for the page: read by
// web/build.mjs, which writes them as the modules the page imports on demand, and by the JS tests.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** {en: {code: template}, zh: {code: template}} from core/text/*.json (a code without "zh" is only in en). */
export function readTemplates(root) {
  const dir = path.join(root, 'core', 'text');
  const en = {};
  const zh = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const table = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    for (const [code, t] of Object.entries(table)) {
      if (typeof t.en === 'string') en[code] = t.en;
      if (typeof t.zh === 'string' && t.zh !== '') zh[code] = t.zh;
    }
  }
  return { en, zh };
}

/**
 * The page's template modules: texts-en.js (every English template) and texts-zh.js (the Chinese
 * templates, and as `fallback` the English ones of codes that have no Chinese yet).
 */
export function templateModules(root) {
  const { en, zh } = readTemplates(root);
  const fallback = Object.fromEntries(Object.entries(en).filter(([code]) => !(code in zh)));
  return {
    'texts-en.js': `export default ${JSON.stringify(en)};\n`,
    'texts-zh.js': `export default ${JSON.stringify(zh)};\nexport const fallback = ${JSON.stringify(fallback)};\n`,
  };
}
