// The engine choice and its options, both from the core's engine table (catalog('engines')): every
// engine the core has, and for the chosen one each option by its type (number with min/max and unit;
// a choice, a switch or on/off/auto as a select; a list of numbers or a layer count as text), its
// default as the placeholder ("auto" where the engine works it out) and its doc as help. Values go to
// state.opts (and the URL as o.<name>); the core's errors show beside the option they name.
import { $, h, htmlLang, setError } from './dom.js';
import { optionValue } from './state.js';

/** The catalog entry of an engine id or alias (undefined when the catalog does not list it). */
export function engineOf(engines, id) {
  return engines.find((e) => e.id === id || e.aliases.includes(id));
}

/** The options of `opts` that `engine` takes (by name or alias): what survives a change of engine. */
export function keepOptions(engine, opts) {
  if (!engine) return {};
  const names = new Set(engine.options.flatMap((o) => (o.alias ? [o.name, o.alias] : [o.name])));
  return Object.fromEntries(Object.entries(opts).filter(([k]) => names.has(k)));
}

/** A <select> of the core's engines: each by its name, its doc (in the page's language) as the title. */
export function fillEngineSelect(app, select, chosen) {
  select.textContent = '';
  const list = app.catalog.engines;
  for (const e of list) {
    const doc = app.say({ code: e.doc_code, message: e.doc });
    select.append(h('option', { value: e.id, title: doc.text, text: e.name }));
  }
  if (chosen && !list.some((e) => e.id === chosen)) select.append(h('option', { value: chosen, text: chosen }));
  select.value = chosen;
}

/** The calculator's engine select, its doc line, the KV dtypes it takes and its option fields. */
export function renderEngine(app) {
  const { el, state } = app;
  const engine = engineOf(app.catalog.engines, state.engine);
  fillEngineSelect(app, el.engine, state.engine);
  el.engineName.textContent = engine ? engine.name : state.engine;
  const doc = engine ? app.say({ code: engine.doc_code, message: engine.doc }) : { text: '', lang: app.lang };
  el.engineDoc.textContent = doc.text;
  el.engineDoc.lang = htmlLang(doc.lang);
  const kvs = engine ? engine.kv_cache_dtypes : app.catalog.kv_cache_dtypes || ['auto'];
  el.kv.textContent = '';
  for (const k of [...new Set([...kvs, state.kv])]) el.kv.append(h('option', { value: k, text: k === 'auto' ? app.t('kv_auto') : k }));
  el.kv.value = state.kv;
  el.opts.querySelectorAll('.opt').forEach((n) => n.remove());
  for (const spec of engine ? engine.options : []) el.opts.append(optionField(app, spec));
  syncOptions(app);
}

const shown = (v) => (Array.isArray(v) ? v.join(', ') : v === undefined ? '' : String(v));

function placeholder(app, spec) {
  if (spec.default === null || spec.default === undefined) return app.t('opt_auto');
  return app.t('opt_default', { v: shown(spec.default) });
}

/** The field for one option: label (its name, alias and flag), control, unit, doc, error line. */
function optionField(app, spec) {
  const id = `opt-${spec.name}`;
  const doc = app.say({ code: spec.doc_code, message: spec.doc });
  const label = h('label', { for: id }, h('code', { text: spec.name }),
    spec.alias ? h('span', { class: 'muted' }, ' · ', h('code', { text: spec.alias })) : null,
    spec.flag && spec.flag !== spec.name ? h('span', { class: 'flag muted', text: ` ${spec.flag}` }) : null);
  const control = optionControl(app, spec, id);
  control.setAttribute('aria-describedby', `${id}-doc err-${id}`);
  control.addEventListener(control.tagName === 'SELECT' ? 'change' : 'input', () => onOption(app, spec, control));
  const unit = spec.unit ? h('span', { class: 'unit muted', text: app.t(`unit.${spec.unit}`) }) : null;
  return h('div', { class: 'field opt', 'data-option': spec.name }, label, h('div', { class: 'opt-input' }, control, unit),
    h('p', { class: 'hint', id: `${id}-doc`, lang: htmlLang(doc.lang), text: doc.text }),
    h('p', { class: 'err', id: `err-${id}`, role: 'alert' }));
}

const CHOICES = { boolean: ['true', 'false'], on_off: ['on', 'off'], on_off_auto: ['on', 'off', 'auto'] };

function optionControl(app, spec, id) {
  const choices = spec.type === 'choice' ? spec.choices : CHOICES[spec.type];
  if (choices) {
    const select = h('select', { id, name: spec.name });
    select.append(h('option', { value: '', text: placeholder(app, spec) }));
    for (const c of choices) select.append(h('option', { value: c, text: c }));
    return select;
  }
  if (spec.type === 'integer' || spec.type === 'number') {
    return h('input', { id, name: spec.name, type: 'number', min: spec.min, max: spec.max, step: spec.type === 'integer' ? '1' : 'any', placeholder: placeholder(app, spec) });
  }
  const hint = app.t(spec.type === 'layers' ? 'opt_layers_hint' : 'opt_list_hint');
  return h('input', { id, name: spec.name, type: 'text', spellcheck: 'false', inputmode: spec.type === 'layers' ? null : 'decimal', placeholder: `${placeholder(app, spec)} (${hint})` });
}

/** A field's value for state.opts: undefined when empty, NaN when it cannot be one. */
function readOption(spec, control) {
  const raw = control.value.trim();
  if (raw === '') return undefined;
  if (control.tagName === 'SELECT') return spec.type === 'boolean' ? raw === 'true' : raw;
  if (spec.type === 'integer' || spec.type === 'number') return Number.isFinite(Number(raw)) ? Number(raw) : NaN;
  if (spec.type === 'layers') return /^-?\d+$/.test(raw) ? Number(raw) : /^(all|auto)$/i.test(raw) ? raw.toLowerCase() : NaN;
  return /^\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*$/.test(raw) ? raw.replace(/\s+/g, '') : NaN;
}

function onOption(app, spec, control) {
  const v = readOption(spec, control);
  if (Number.isNaN(v)) {
    setError(control.id, app.t('err.invalid_field'));
    app.markStale();
    return;
  }
  setError(control.id, '');
  const opts = { ...app.state.opts };
  if (spec.alias) delete opts[spec.alias]; // the engine's own name replaces an alias from a link
  if (v === undefined) delete opts[spec.name];
  else opts[spec.name] = v;
  app.update({ opts });
}

/** state.opts -> the fields (the one being typed in is left alone). */
export function syncOptions(app) {
  const engine = engineOf(app.catalog.engines, app.state.engine);
  for (const spec of engine ? engine.options : []) {
    const control = $(`opt-${spec.name}`);
    if (!control || document.activeElement === control) continue;
    const v = app.state.opts[spec.name] ?? (spec.alias ? app.state.opts[spec.alias] : undefined);
    control.value = shown(v === undefined ? v : optionValue(spec, v));
  }
}
