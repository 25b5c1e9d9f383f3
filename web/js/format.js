// Number and byte formatting per locale and unit system. Pure functions (tested in tests/js/).

export const UNITS = {
  GB: { base: 1e9, steps: ['B', 'KB', 'MB', 'GB', 'TB', 'PB'], factor: 1000 },
  GiB: { base: 2 ** 30, steps: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], factor: 1024 },
};

export function locale(lang) {
  return lang === 'zh' ? 'zh-CN' : 'en-US';
}

const nfCache = new Map();
function nf(lang, min, max) {
  const key = `${lang}|${min}|${max}`;
  let f = nfCache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), { minimumFractionDigits: min, maximumFractionDigits: max });
    nfCache.set(key, f);
  }
  return f;
}

/** 1234567 -> "1,234,567" in either language. */
export function formatInt(n, lang = 'en') {
  return nf(lang, 0, 0).format(Math.round(n));
}

export function formatNumber(n, lang = 'en', digits = 2) {
  return nf(lang, 0, digits).format(n);
}

/** Bytes in a fixed unit: GB (10^9) or GiB (2^30), two decimals: "75.35 GB". */
export function formatGB(bytes, unit = 'GB', lang = 'en', digits = 2) {
  const u = UNITS[unit] || UNITS.GB;
  return `${nf(lang, digits, digits).format(bytes / u.base)} ${unit}`;
}

/** Bytes scaled to a readable step of the chosen system: 262144 -> "262.14 KB" or "256 KiB". */
export function formatBytes(bytes, unit = 'GB', lang = 'en') {
  const u = UNITS[unit] || UNITS.GB;
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= u.factor && i < u.steps.length - 1) {
    v /= u.factor;
    i += 1;
  }
  const digits = i === 0 ? 0 : v >= 100 ? 1 : 2;
  return `${sign}${nf(lang, 0, digits).format(v)} ${u.steps[i]}`;
}

/** Token counts: 4096 -> "4K" (binary K as people say "4k context"), 131072 -> "128K", 1000 -> "1,000". */
export function formatTokens(n, lang = 'en') {
  if (n >= 1024 && n % 1024 === 0) {
    const k = n / 1024;
    if (k >= 1024 && k % 1024 === 0) return `${formatInt(k / 1024, lang)}M`;
    return `${formatInt(k, lang)}K`;
  }
  return formatInt(n, lang);
}

/** Parses "4k", "128K", "1m", "16,000", "8192" into an integer; NaN when it is not a count. */
export function parseCount(text) {
  const s = String(text).trim().toLowerCase().replace(/[,_\s]/g, '');
  const m = /^(\d+(?:\.\d+)?)([km]?)$/.exec(s);
  if (!m) return NaN;
  const mult = m[2] === 'k' ? 1024 : m[2] === 'm' ? 1024 * 1024 : 1;
  const v = Number(m[1]) * mult;
  return Number.isInteger(v) ? v : Math.round(v);
}

export function formatPercent(x, lang = 'en', digits = 1) {
  return `${nf(lang, digits, digits).format(x * 100)}%`;
}

/** Params: 70553706496 -> "70.55 B" (en) / "705.54 亿" (zh). */
export function formatParams(n, lang = 'en') {
  if (lang === 'zh') {
    if (n >= 1e8) return `${nf(lang, 2, 2).format(n / 1e8)} 亿`;
    return `${nf(lang, 0, 1).format(n / 1e4)} 万`;
  }
  if (n >= 1e9) return `${nf(lang, 2, 2).format(n / 1e9)} B`;
  return `${nf(lang, 1, 1).format(n / 1e6)} M`;
}
