// Small DOM helpers shared by the calculator and the Planner view.

export const $ = (id) => document.getElementById(id);

/** An element: h('td', {class: 'num', text: '3'}, child, …); on* attributes become listeners. */
export function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
}

/** Fills a <dl> with [term, description, attrs of the dd] rows; a description may be an element. */
export function dl(target, rows) {
  target.textContent = '';
  for (const [k, v, attrs] of rows) {
    const dd = typeof v === 'object' && v !== null ? h('dd', attrs || {}, v) : h('dd', { text: v, ...(attrs || {}) });
    target.append(h('dt', { text: k }), dd);
  }
}

/** The HTML lang of a text rendered in `lang` ('en' or 'zh'). */
export const htmlLang = (lang) => (lang === 'zh' ? 'zh-CN' : 'en');

/** Shows (or clears) the error line err-<id> and marks its input invalid. */
export function setError(id, msg) {
  const p = $(`err-${id}`);
  if (!p) return false;
  p.textContent = msg || '';
  const field = $(id);
  if (field) field.setAttribute('aria-invalid', msg ? 'true' : 'false');
  return true;
}

export function clearErrors(root = document) {
  for (const p of root.querySelectorAll('.err')) p.textContent = '';
  for (const f of root.querySelectorAll('[aria-invalid=true]')) f.setAttribute('aria-invalid', 'false');
}

/** Calls fn when the page is idle (or soon). */
export function idle(fn) {
  return typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 200 }) : setTimeout(fn, 1);
}
