// The Planner view's pure parts (no DOM; tested in node): the estimate that reproduces one plan's
// memory, and the Pareto chart of cost vs end-to-end latency as SVG.
import { formatInt, formatNumber } from './format.js';

/** End-to-end time of one request under a plan, in ms: TTFT + output tokens × TPOT. */
export const e2eMs = (plan, outputTokens) => plan.ttft_ms + outputTokens * plan.tpot_ms;

/**
 * The estimate request (API.md) the planner itself evaluates for a plan's memory: one replica
 * (gpus_per_replica GPUs at its TP × PP), prompt + output tokens of context, the replica's share of
 * the requests in flight, and for vLLM max_model_len = that context. Its busiest GPU equals the
 * plan's per_gpu_total (tested against the core in tests/js/plan.test.js).
 */
export function planEstimateRequest(planRequest, plan) {
  const w = planRequest.workload || {};
  const len = (w.prompt_tokens || 1000) + (w.output_tokens || 500);
  const engine = planRequest.engine || 'vllm';
  const req = {
    model: planRequest.model,
    weights: plan.weights,
    kv_cache_dtype: plan.kv_cache_dtype,
    engine,
    workload: { context_tokens: len, concurrency: Math.max(1, Math.ceil(plan.concurrency_per_replica)) },
    hardware: { gpu: plan.gpu, count: plan.gpus_per_replica, tensor_parallel: plan.tensor_parallel, pipeline_parallel: plan.pipeline_parallel },
  };
  if (engine === 'vllm') req.engine_options = { max_model_len: len };
  return req;
}

/** The chart's points: every plan with a price, {i, x: end-to-end seconds, y: USD/h, pareto, meets}. */
export function paretoPoints(result) {
  const out = result.workload ? result.workload.output_tokens : 500;
  const front = new Set(result.pareto || []);
  const pts = [];
  result.plans.forEach((p, i) => {
    if (typeof p.cost_per_hour !== 'number' || !(p.cost_per_hour > 0)) return;
    pts.push({ i, x: e2eMs(p, out) / 1000, y: p.cost_per_hour, pareto: front.has(i), meets: p.meets_slo });
  });
  return pts;
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** A log axis over [lo, hi] (padded): the mapping and 1-2-5 ticks that fit `room` pixels. */
function logAxis(values, a, b, room) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 1;
  if (hi / lo < 1.5) {
    lo /= 1.5;
    hi *= 1.5;
  } else {
    lo /= 1.12;
    hi *= 1.12;
  }
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi);
  const map = (v) => a + ((Math.log10(v) - l0) / (l1 - l0)) * (b - a);
  let ticks = [];
  for (const mult of [[1, 2, 5], [1, 3], [1]]) {
    ticks = [];
    for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) for (const m of mult) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
    if (ticks.length <= Math.max(2, room / 48)) break;
  }
  return { map, ticks, lo, hi };
}

/** Plot geometry shared by the SVG and the pointer: margins and the two log mappings. */
export function paretoGeometry(points, W = 800, H = 440, legend = true) {
  const m = { l: 64, r: 18, t: legend ? 44 : 12, b: legend ? 90 : 48 };
  const xs = points.length ? points.map((p) => p.x) : [1];
  const ys = points.length ? points.map((p) => p.y) : [1];
  const X = logAxis(xs, m.l, W - m.r, W - m.l - m.r);
  const Y = logAxis(ys, H - m.b, m.t, H - m.t - m.b);
  return { m, W, H, X, Y };
}

function tickText(v, lang) {
  return v >= 100 ? formatInt(v, lang) : formatNumber(v, lang, v >= 1 ? 1 : 2);
}

/**
 * SVG text of the Pareto chart: plans as dots (filled = meets the targets, hollow = misses them), the
 * Pareto front as larger dots joined by a step line, the selected plan ringed. On screen it is sized to
 * its box without title or legend; exported at 800 × 440 with both. Pure (tested in node).
 */
export function paretoSVG(points, o) {
  const legend = o.legend && o.legend.length > 0;
  const W = o.width || 800;
  const H = o.height || 440;
  const g = paretoGeometry(points, W, H, legend);
  const { m, X, Y } = g;
  const f = (n) => n.toFixed(1);
  const c = o.colors;
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  if (o.bg) parts.push(`<rect width="${W}" height="${H}" fill="${esc(o.bg)}"/>`);
  if (o.title) parts.push(`<text x="${m.l}" y="26" font-size="16" font-weight="600" fill="${esc(c.fg)}">${esc(o.title)}</text>`);
  for (const v of Y.ticks) {
    const y = f(Y.map(v));
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="${esc(c.grid)}"/>`);
    parts.push(`<text x="${m.l - 6}" y="${f(Y.map(v) + 4)}" text-anchor="end" fill="${esc(c.muted)}">${esc(tickText(v, o.lang))}</text>`);
  }
  for (const v of X.ticks) {
    const x = f(X.map(v));
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="${esc(c.grid)}"/>`);
    parts.push(`<text x="${x}" y="${H - m.b + 16}" text-anchor="middle" fill="${esc(c.muted)}">${esc(tickText(v, o.lang))}</text>`);
  }
  for (const p of points) {
    if (p.pareto) continue;
    const attrs = p.meets ? `fill="${esc(c.muted)}" fill-opacity="0.45"` : `fill="none" stroke="${esc(c.muted)}" stroke-opacity="0.7"`;
    parts.push(`<circle data-i="${p.i}" cx="${f(X.map(p.x))}" cy="${f(Y.map(p.y))}" r="3.5" ${attrs}/>`);
  }
  const front = points.filter((p) => p.pareto).sort((a, b) => a.x - b.x);
  if (front.length > 1) {
    let d = `M${f(X.map(front[0].x))},${f(Y.map(front[0].y))}`;
    for (const p of front.slice(1)) d += ` H${f(X.map(p.x))} V${f(Y.map(p.y))}`;
    parts.push(`<path d="${d}" fill="none" stroke="${esc(c.accent)}" stroke-width="1.5" stroke-opacity="0.8"/>`);
  }
  for (const p of front) {
    parts.push(`<circle data-i="${p.i}" cx="${f(X.map(p.x))}" cy="${f(Y.map(p.y))}" r="5.5" fill="${esc(c.accent)}" stroke="${esc(o.bg || c.bgCard || '#fff')}" stroke-width="1.5"/>`);
    if (o.labels && o.labels[p.i]) parts.push(`<text x="${f(X.map(p.x) + 8)}" y="${f(Y.map(p.y) - 8)}" fill="${esc(c.fg)}" font-size="11">${esc(o.labels[p.i])}</text>`);
  }
  const sel = points.find((p) => p.i === o.selected);
  if (sel) parts.push(`<circle class="sel" cx="${f(X.map(sel.x))}" cy="${f(Y.map(sel.y))}" r="9" fill="none" stroke="${esc(c.fg)}" stroke-width="2"/>`);
  parts.push(`<circle class="hover" cx="-20" cy="-20" r="8" fill="none" stroke="${esc(c.fg)}" stroke-dasharray="2 2" visibility="hidden"/>`);
  parts.push(`<text x="${m.l + (W - m.l - m.r) / 2}" y="${H - m.b + 36}" text-anchor="middle" fill="${esc(c.fg)}">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + (H - m.t - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="${esc(c.fg)}">${esc(o.yLabel)}</text>`);
  if (legend) {
    const marks = [
      (x, y) => `<circle cx="${x + 6}" cy="${y + 6}" r="5.5" fill="${esc(c.accent)}"/>`,
      (x, y) => `<circle cx="${x + 6}" cy="${y + 6}" r="3.5" fill="${esc(c.muted)}" fill-opacity="0.45"/>`,
      (x, y) => `<circle cx="${x + 6}" cy="${y + 6}" r="3.5" fill="none" stroke="${esc(c.muted)}"/>`,
      (x, y) => `<circle cx="${x + 6}" cy="${y + 6}" r="6" fill="none" stroke="${esc(c.fg)}" stroke-width="2"/>`,
    ];
    let lx = m.l;
    o.legend.forEach((name, i) => {
      parts.push(marks[i](lx, H - 30));
      parts.push(`<text x="${lx + 18}" y="${H - 20}" fill="${esc(c.fg)}">${esc(name)}</text>`);
      lx += 34 + [...name].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 12 : 7.2), 0);
    });
  }
  parts.push('</svg>');
  return parts.join('\n');
}
