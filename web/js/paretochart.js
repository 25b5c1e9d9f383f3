// The Planner's cost vs end-to-end latency chart on screen: an inline SVG (plan.js) sized to its box,
// a pointer and keyboard readout, click (or arrow keys along the front) to select a plan.
import { formatNumber } from './format.js';
import { paretoPoints, paretoSVG, paretoGeometry } from './plan.js';
import { cssVar } from './charts.js';

/** The cost vs latency chart: an inline SVG sized to its box, pointer and keyboard readout, click to select. */
export class ParetoChart {
  constructor(box, readout, onPick) {
    this.box = box;
    this.readout = readout;
    this.onPick = onPick;
    this.points = [];
    this.width = 0;
    box.tabIndex = 0;
    box.addEventListener('pointermove', (e) => this.hover(this.nearest(e)));
    box.addEventListener('pointerleave', () => this.hover(null));
    box.addEventListener('click', (e) => {
      const p = this.nearest(e);
      if (p) this.onPick(p.i);
    });
    box.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const front = this.points.filter((p) => p.pareto).sort((a, b) => a.x - b.x);
      if (!front.length) return;
      e.preventDefault();
      const k = front.findIndex((p) => p.i === this.selected);
      const next = k < 0 ? 0 : Math.min(front.length - 1, Math.max(0, k + (e.key === 'ArrowRight' ? 1 : -1)));
      this.onPick(front[next].i);
    });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        if (this.result && Math.abs(this.box.clientWidth - this.width) > 2) this.draw();
      }).observe(box);
    }
  }

  update(result, selected, ctx) {
    this.result = result;
    this.points = paretoPoints(result);
    this.selected = selected;
    this.ctx = ctx;
    this.draw();
  }

  options(width, height, exportMode) {
    const { t, lang } = this.ctx;
    const colors = { fg: cssVar('--fg', '#111'), muted: cssVar('--muted', '#555'), grid: cssVar('--grid', '#e5e7eb'), accent: cssVar('--accent', '#2458d6'), bgCard: cssVar('--bg-card', '#fff') };
    const labels = {};
    if (exportMode) for (const p of this.points) if (p.pareto) labels[p.i] = this.shortName(this.result.plans[p.i]);
    return {
      width, height, colors, lang, selected: this.selected, labels,
      xLabel: t('axis_latency'), yLabel: t('axis_cost'),
      legend: exportMode ? [t('pareto_front'), t('meets_slo'), t('misses_slo'), t('selected')] : null,
      bg: exportMode ? colors.bgCard : null,
    };
  }

  shortName(p) {
    return `${p.total_gpus} × ${p.gpu_name.replace(/\s*\(.*\)$/, '')} ${p.weights}`;
  }

  draw() {
    this.width = Math.max(260, Math.floor(this.box.clientWidth || 600));
    const height = Math.round(Math.min(320, Math.max(200, this.width * 0.48)));
    if (!this.points.length) {
      this.box.innerHTML = '';
      this.geom = null;
      return;
    }
    this.box.innerHTML = paretoSVG(this.points, this.options(this.width, height, false));
    this.geom = paretoGeometry(this.points, this.width, height, false);
    this.describe(this.points.find((p) => p.i === this.selected));
  }

  nearest(e) {
    if (!this.geom) return null;
    const rect = this.box.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let best = null;
    let dist = 24 * 24;
    for (const p of this.points) {
      const d = (this.geom.X.map(p.x) - x) ** 2 + (this.geom.Y.map(p.y) - y) ** 2;
      if (d < dist) {
        dist = d;
        best = p;
      }
    }
    return best;
  }

  hover(p) {
    const ring = this.box.querySelector('circle.hover');
    if (ring) {
      ring.setAttribute('cx', p ? this.geom.X.map(p.x).toFixed(1) : -20);
      ring.setAttribute('cy', p ? this.geom.Y.map(p.y).toFixed(1) : -20);
      ring.setAttribute('visibility', p ? 'visible' : 'hidden');
    }
    this.box.style.cursor = p ? 'pointer' : '';
    this.describe(p || this.points.find((q) => q.i === this.selected));
  }

  describe(p) {
    if (!this.readout) return;
    if (!p) {
      this.readout.textContent = '';
      return;
    }
    const { t, lang } = this.ctx;
    const plan = this.result.plans[p.i];
    this.readout.textContent = `#${p.i + 1} ${this.shortName(plan)} · ${t('usd_h', { v: formatNumber(p.y, lang) })} · ${formatNumber(p.x, lang, 1)} s · ${plan.meets_slo ? '✓' : '✗'}${p.pareto ? ` · ${t('pareto_front')}` : ''}`;
  }

  toSVG(title) {
    return paretoSVG(this.points, { ...this.options(800, 440, true), title });
  }
}
