// Charts as inline SVG drawn on the server: no script, no remote library, readable without colour.
import { html, type Html } from '../html.ts';

export interface Bar {
  label: string;
  value: number;
  /** A part of value drawn darker (e.g. today's share of the week). */
  part?: number;
}

export function horizontalBars(bars: Bar[], opts: { title: string; partLabel?: string; valueLabel?: string }): Html {
  const rowHeight = 22;
  const labelWidth = 130;
  const width = 460;
  const barSpace = width - labelWidth - 50;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = Math.max(1, bars.length) * rowHeight + 8;
  return html`<svg class="chart" role="img" aria-label="${opts.title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title>${opts.title}</title>
${bars.map((b, i) => {
  const y = 4 + i * rowHeight;
  const w = (b.value / max) * barSpace;
  const pw = ((b.part ?? 0) / max) * barSpace;
  return html`<g>
  <text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end" font-size="12" fill="#333">${b.label}</text>
  <rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="#9cc3e6"><title>${b.label}: ${b.value} ${opts.valueLabel ?? ''}</title></rect>
  ${b.part ? html`<rect x="${labelWidth}" y="${y + 3}" width="${pw.toFixed(1)}" height="${rowHeight - 6}" fill="#1f5f99"><title>${b.label}: ${b.part} ${opts.partLabel ?? ''}</title></rect>` : ''}
  <text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 15}" font-size="12" fill="#333">${b.value}${b.part ? ` (${b.part})` : ''}</text>
</g>`;
})}
</svg>`;
}

/** Columns over time; `tick` writes a column's label under it (by default the day of a YYYY-MM-DD label). */
export function columns(points: { label: string; value: number }[], opts: { title: string; tick?: (label: string) => string }): Html {
  const tick = opts.tick ?? ((label: string) => label.slice(8));
  const width = 460;
  const height = 140;
  const bottom = 20;
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = width / Math.max(1, points.length);
  return html`<svg class="chart" role="img" aria-label="${opts.title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title>${opts.title}</title>
${points.map((p, i) => {
  const h = (p.value / max) * (height - bottom - 16);
  const x = i * slot + 3;
  return html`<g>
  <rect x="${x.toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${(slot - 6).toFixed(1)}" height="${h.toFixed(1)}" fill="#1f5f99"><title>${p.label}: ${p.value}</title></rect>
  <text x="${(x + (slot - 6) / 2).toFixed(1)}" y="${(height - bottom - h - 3).toFixed(1)}" text-anchor="middle" font-size="10" fill="#333">${p.value || ''}</text>
  <text x="${(x + (slot - 6) / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#555">${tick(p.label)}</text>
</g>`;
})}
</svg>`;
}
