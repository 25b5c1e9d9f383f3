// The Chinese chunk, fetched only when the page is shown in Chinese: the page's strings and the core's
// Chinese templates (texts-zh.js, written by web/build.mjs from core/text/*.json, with the English
// templates of the codes that have no Chinese yet as `fallback`).
import strings from './strings-zh.js';
import templates, { fallback } from './texts-zh.js';

export { strings, templates, fallback };
