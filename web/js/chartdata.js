// The chart data and its SVG rendering, free of the DOM (tested in node); charts.js draws it on screen.
import { formatInt, formatTokens, UNITS } from './format.js';

export const PARTS = [
  { key: 'weights', label: 'weights_part', css: '--c-weights' },
  { key: 'kv_cache', label: 'kv_part', css: '--c-kv' },
  { key: 'activations', label: 'act_part', css: '--c-act' },
  { key: 'overhead', label: 'overhead_part', css: '--c-over' },
];

/** Cumulative stacks from sweep points: [x[], weights[], +kv[], +act[], +overhead[], capacity[]] in the unit. */
export function stackData(points, unit) {
  const base = (UNITS[unit] || UNITS.GB).base;
  const xs = points.map((p) => p.value);
  const out = [xs];
  let acc = points.map(() => 0);
  for (const part of PARTS) {
    acc = acc.map((a, i) => a + points[i][part.key]);
    out.push(acc.map((a) => a / base));
  }
  out.push(points.map((p) => (p.capacity > 0 ? p.capacity / base : null)));
  return out;
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Plot geometry shared by the SVG and the pointer readout: margins and the x/y mappings. */
export function geometry(points, unit, W = 800, H = 440, legend = true) {
  const m = { l: 64, r: 16, t: legend ? 44 : 12, b: legend ? 90 : 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const d = stackData(points, unit);
  const xs = d[0];
  const lx0 = Math.log2(xs[0]);
  const lx1 = Math.log2(xs[xs.length - 1]);
  const ymax = Math.max(...d[4], ...d[5].filter((v) => v != null), 1e-9) * 1.08;
  const X = (v) => m.l + (lx1 === lx0 ? 0 : ((Math.log2(v) - lx0) / (lx1 - lx0)) * pw);
  const Y = (v) => m.t + ph - (v / ymax) * ph;
  return { m, pw, ph, d, xs, ymax, X, Y, W, H };
}

/**
 * SVG text for sweep points: stacked areas (weights, + KV, + activations, + overhead), the
 * capacity as a dashed line, the current value as a dotted line. Used on screen (sized to the
 * box, no title or legend) and for export (800 × 440 with both). Pure (tested in node).
 */
export function chartSVG(points, o) {
  const legend = o.legend && o.legend.length > 0;
  const g = geometry(points, o.unit, o.width || 800, o.height || 440, legend);
  const { m, pw, ph, d, xs, ymax, X, Y, W, H } = g;
  const f = (n) => n.toFixed(1);
  const parts = [];
  const label = o.ariaLabel ? ` role="img" aria-label="${esc(o.ariaLabel)}"` : '';
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12"${label}>`);
  if (o.bg) parts.push(`<rect width="${W}" height="${H}" fill="${esc(o.bg)}"/>`);
  if (o.title) parts.push(`<text x="${m.l}" y="26" font-size="16" font-weight="600" fill="${esc(o.fg)}">${esc(o.title)}</text>`);
  const step = niceStep(ymax / 5);
  for (let v = 0; v <= ymax; v += step) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${f(Y(v))}" y2="${f(Y(v))}" stroke="${esc(o.grid)}"/>`);
    parts.push(`<text x="${m.l - 6}" y="${f(Y(v) + 4)}" text-anchor="end" fill="${esc(o.muted || o.fg)}">${esc(formatInt(v, o.lang))}</text>`);
  }
  const every = Math.max(1, Math.ceil(xs.filter((v) => Math.log2(v) % 1 === 0).length / Math.max(2, Math.floor(pw / 44))));
  let k = 0;
  for (const v of xs) {
    if (Math.log2(v) % 1 !== 0) continue;
    parts.push(`<line x1="${f(X(v))}" x2="${f(X(v))}" y1="${m.t}" y2="${m.t + ph}" stroke="${esc(o.grid)}"/>`);
    if (k++ % every === 0) parts.push(`<text x="${f(X(v))}" y="${m.t + ph + 16}" text-anchor="middle" fill="${esc(o.muted || o.fg)}">${esc(formatTokens(v, o.lang))}</text>`);
  }
  for (let i = 4; i >= 1; i--) {
    const top = xs.map((x, j) => `${f(X(x))},${f(Y(d[i][j]))}`).join(' ');
    parts.push(`<polygon points="${f(X(xs[0]))},${f(Y(0))} ${top} ${f(X(xs[xs.length - 1]))},${f(Y(0))}" fill="${esc(o.colors[i - 1])}"/>`);
  }
  if (d[5].some((v) => v != null)) {
    const cap = xs.map((x, j) => `${f(X(x))},${f(Y(d[5][j] ?? 0))}`).join(' ');
    parts.push(`<polyline points="${cap}" fill="none" stroke="${esc(o.colors[4])}" stroke-width="2" stroke-dasharray="6 4"/>`);
  }
  if (o.current != null) {
    parts.push(`<line x1="${f(X(o.current))}" x2="${f(X(o.current))}" y1="${m.t}" y2="${m.t + ph}" stroke="${esc(o.fg)}" stroke-dasharray="2 3"/>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 36}" text-anchor="middle" fill="${esc(o.fg)}">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" fill="${esc(o.fg)}">${esc(o.yLabel)}</text>`);
  if (legend) {
    let lx = m.l;
    o.legend.forEach((name, i) => {
      parts.push(`<rect x="${lx}" y="${H - 28}" width="12" height="12" fill="${esc(o.colors[i])}"/>`);
      parts.push(`<text x="${lx + 16}" y="${H - 18}" fill="${esc(o.fg)}">${esc(name)}</text>`);
      lx += 28 + [...name].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 12 : 7.5), 0);
    });
  }
  parts.push('<line class="hover" x1="-10" x2="-10" y1="' + m.t + '" y2="' + (m.t + ph) + '" stroke="' + esc(o.fg) + '" stroke-width="1" visibility="hidden"/>');
  parts.push('</svg>');
  return parts.join('\n');
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const k of [1, 2, 2.5, 5, 10]) if (raw <= k * p) return k * p;
  return 10 * p;
}

