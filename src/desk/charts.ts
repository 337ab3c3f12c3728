import { escapeHtml, unsafeRaw, type Html } from './html.js';

/** Server-rendered SVG charts: no script, no library, readable without CSS. Labels are escaped. */

const COLORS = ['#1f6feb', '#2da44e', '#bf8700', '#cf222e', '#8250df', '#1b7c83', '#6e7781'];
const seriesColor = (i: number): string => COLORS[i % COLORS.length]!;

export interface Series {
  name: string;
  values: number[];
}

/** Grouped bars: one group per x label, one bar per series; a legend below. */
export function barChart(opts: {
  title: string;
  labels: string[];
  series: Series[];
  width?: number;
  height?: number;
  rtl: boolean;
}): Html {
  const width = opts.width ?? 720;
  const height = opts.height ?? 240;
  const pad = { top: 16, bottom: 34, side: 40 };
  const max = Math.max(1, ...opts.series.flatMap((s) => s.values));
  const plotW = width - pad.side * 2;
  const plotH = height - pad.top - pad.bottom;
  const groupW = plotW / Math.max(1, opts.labels.length);
  const barW = Math.max(1, (groupW * 0.8) / Math.max(1, opts.series.length));
  // Time runs right to left in an Arabic page, as the text does.
  const x = (i: number) => (opts.rtl ? pad.side + plotW - (i + 1) * groupW : pad.side + i * groupW);
  const parts: string[] = [];
  // Whole-number gridlines: 0, the middle when it is a whole number, the top.
  const ticks = max % 2 === 0 ? [0, 0.5, 1] : [0, 1];
  for (const frac of ticks) {
    const y = pad.top + plotH * (1 - frac);
    parts.push(
      `<line x1="${pad.side}" x2="${width - pad.side}" y1="${y}" y2="${y}" stroke="#d0d7de" stroke-width="1"/>`,
    );
    parts.push(
      `<text x="${opts.rtl ? width - pad.side + 4 : pad.side - 4}" y="${y + 4}" font-size="11" fill="#57606a" text-anchor="${opts.rtl ? 'start' : 'end'}">${Math.round(max * frac)}</text>`,
    );
  }
  opts.series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (v <= 0) return;
      const h = (v / max) * plotH;
      const bx = x(i) + groupW * 0.1 + si * barW;
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${seriesColor(si)}"><title>${escapeHtml(`${s.name} · ${opts.labels[i] ?? ''}: ${v}`)}</title></rect>`,
      );
    });
  });
  const every = Math.max(1, Math.ceil(opts.labels.length / 12));
  opts.labels.forEach((label, i) => {
    if (i % every !== 0) return;
    parts.push(
      `<text x="${(x(i) + groupW / 2).toFixed(1)}" y="${height - pad.bottom + 16}" font-size="11" fill="#57606a" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  });
  const legend = opts.series
    .map(
      (s, i) =>
        `<span class="legend-item"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${seriesColor(i)}"/></svg> ${escapeHtml(s.name)}</span>`,
    )
    .join(' ');
  return unsafeRaw(
    `<figure class="chart"><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(opts.title)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg><figcaption>${legend}</figcaption></figure>`,
  );
}
