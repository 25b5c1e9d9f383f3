// Loads what a language needs, on demand: Chinese = the page's Chinese strings and the core's Chinese
// templates (one chunk); English shown in GiB = the core's English templates (so a {x:gb} value in a core
// text follows the unit switch). English in GB needs nothing: the core's texts carry their English.
import { registerStrings } from './i18n.js';
import { addTemplates } from './text.js';

const loading = {};

function once(key, load) {
  if (!loading[key]) {
    loading[key] = load().catch((e) => {
      delete loading[key]; // offline before the chunk was cached: try again next time
      throw e;
    });
  }
  return loading[key];
}

/** Resolves once `lang` (and the templates `unit` needs) can be shown; rejects when a chunk cannot load. */
export function loadLanguage(lang, unit) {
  if (lang === 'zh') {
    return once('zh', () => import('./lang-zh.js').then((m) => {
      registerStrings('zh', m.strings);
      addTemplates('zh', m.templates, m.fallback);
    }));
  }
  if (unit === 'GiB') return once('en', () => import('./texts-en.js').then((m) => addTemplates('en', m.default)));
  return Promise.resolve();
}
