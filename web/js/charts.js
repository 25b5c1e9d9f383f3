// Memory curves drawn as inline SVG (chartdata.js), sized to their box, with a pointer and
// keyboard readout; the same SVG at 800 × 440 with title and legend is the export (PNG = that SVG
// rasterized). No chart library: the whole chart is ~150 lines and keeps the page under budget.
import { formatGB, formatTokens } from './format.js';
import { PARTS, chartSVG, geometry } from './chartdata.js';

export function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
function palette() {
  return {
    colors: [...PARTS.map((p) => cssVar(p.css, '#888')), cssVar('--c-cap', '#dc2626')],
    bg: cssVar('--bg-card', '#fff'),
    fg: cssVar('--fg', '#111'),
    muted: cssVar('--muted', '#555'),
    grid: cssVar('--grid', '#e5e7eb'),
  };
}

export class MemoryChart {
  constructor(box, readout, { axis }) {
    this.box = box;
    this.readout = readout;
    this.axis = axis;
    this.points = [];
    this.hover = -1;
    this.width = 0;
    box.tabIndex = 0;
    box.addEventListener('pointermove', (e) => this.pointer(e));
    box.addEventListener('pointerleave', () => this.showPoint(-1));
    box.addEventListener('keydown', (e) => {
      if (!this.points.length) return;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        const start = this.hover < 0 ? this.points.findIndex((p) => p.value === this.current) : this.hover;
        this.showPoint(Math.min(this.points.length - 1, Math.max(0, start + (e.key === 'ArrowRight' ? 1 : -1))));
      }
    });
    box.addEventListener('blur', () => this.showPoint(-1));
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        if (this.points.length && Math.abs(this.box.clientWidth - this.width) > 2) this.draw();
      }).observe(box);
    }
  }

  update(points, current, ctx) {
    this.points = points;
    this.current = current;
    this.ctx = ctx;
    this.draw();
  }

  options(width, height, exportMode) {
    const { t, lang, unit } = this.ctx;
    const axisKey = this.axis === 'context_tokens' ? 'axis_context' : 'axis_concurrency';
    return {
      ...palette(),
      width,
      height,
      unit,
      lang,
      current: this.current,
      xLabel: t(axisKey),
      yLabel: t('axis_memory', { unit }),
      legend: exportMode ? [...PARTS.map((p) => t(p.label)), t('capacity')] : null,
      bg: exportMode ? cssVar('--bg-card', '#fff') : null,
    };
  }

  draw() {
    this.width = Math.max(260, Math.floor(this.box.clientWidth || 600));
    const height = Math.round(Math.min(300, Math.max(190, this.width * 0.45)));
    this.box.innerHTML = chartSVG(this.points, this.options(this.width, height, false));
    this.geom = geometry(this.points, this.ctx.unit, this.width, height, false);
    this.showPoint(this.hover);
  }

  pointer(e) {
    if (!this.geom) return;
    const rect = this.box.getBoundingClientRect();
    const x = e.clientX - rect.left;
    let best = -1;
    let dist = Infinity;
    this.geom.xs.forEach((v, i) => {
      const d = Math.abs(this.geom.X(v) - x);
      if (d < dist) {
        dist = d;
        best = i;
      }
    });
    this.showPoint(best);
  }

  showPoint(i) {
    this.hover = i;
    const line = this.box.querySelector('line.hover');
    const { t, lang, unit } = this.ctx || {};
    const idx = i >= 0 ? i : this.points.findIndex((p) => p.value === this.current);
    const p = this.points[idx];
    if (line) {
      const x = i >= 0 && this.geom ? this.geom.X(this.points[i].value).toFixed(1) : -10;
      line.setAttribute('x1', x);
      line.setAttribute('x2', x);
      line.setAttribute('visibility', i >= 0 ? 'visible' : 'hidden');
    }
    if (!p || !this.readout) return;
    const gb = (b) => formatGB(b, unit, lang);
    const head = `${formatTokens(p.value, lang)} ${t(this.axis === 'context_tokens' ? 'tokens' : 'sequences')}`;
    const parts = PARTS.map((q) => `${t(q.label)} ${gb(p[q.key])}`).join(' · ');
    this.readout.textContent = `${head}: ${t('total')} ${gb(p.per_gpu_total)}${p.capacity ? ` / ${gb(p.capacity)}` : ''} — ${parts}`;
    this.readout.classList.toggle('bad', p.capacity > 0 && !p.fits);
  }

  /** The chart as a standalone SVG (800 × 440, title, legend, background). */
  toSVG(title) {
    return chartSVG(this.points, { ...this.options(800, 440, true), title });
  }
}

/** Rasterizes SVG text to a PNG Blob at 2× (no network: a blob: URL). */
export function svgToPNG(svgText) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
    img.onload = () => {
      const c = document.createElement('canvas');
      c.width = img.width * 2;
      c.height = img.height * 2;
      const ctx = c.getContext('2d');
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      c.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png');
    };
    img.onerror = (e) => {
      URL.revokeObjectURL(url);
      reject(e);
    };
    img.src = url;
  });
}
