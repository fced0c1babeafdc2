// A map of Danbury drawn from the gazetteer's own street coordinates (these machines reach no tile
// server): every known street as a faint dot, open requests on top, coloured by category, each a link.
import { html, type Html } from '../html.ts';
import { categoryLabel, layout, type PageContext } from './layout.ts';

export interface MapPoint {
  id: number;
  trackingNumber: string;
  category: string;
  lat: number;
  lon: number;
  place: string;
  late: boolean;
}

export interface MapView {
  streets: { lat: number; lon: number; name: string }[];
  points: MapPoint[];
  /** Open requests that have no coordinates (no place, or a street the gazetteer has no position for). */
  unplaced: number;
  category: string | null;
  categories: string[];
}

// Distinct at a glance and in greyscale print; categories past the palette reuse it in order.
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

export function categoryColour(categories: readonly string[], category: string): string {
  const i = Math.max(0, categories.indexOf(category));
  return PALETTE[i % PALETTE.length] as string;
}

const WIDTH = 900;

export function mapSvg(v: Pick<MapView, 'streets' | 'points' | 'categories'>): Html {
  const all = [...v.streets, ...v.points];
  if (all.length === 0) return html`<p class="empty">No coordinates to draw.</p>`;
  const lats = all.map((p) => p.lat);
  const lons = all.map((p) => p.lon);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  // Equirectangular, with longitude shrunk by cos(latitude): fine at a town's scale.
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max(1e-6, (maxLon - minLon) * k);
  const spanY = Math.max(1e-6, maxLat - minLat);
  const pad = 16;
  const scale = (WIDTH - 2 * pad) / spanX;
  const height = Math.round(spanY * scale + 2 * pad);
  const x = (lon: number): string => (pad + (lon - minLon) * k * scale).toFixed(1);
  const y = (lat: number): string => (pad + (maxLat - lat) * scale).toFixed(1);
  return html`<svg class="map-canvas" role="img" aria-label="Map of open requests" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
<title>Open requests in Danbury</title>
<g fill="#c5ccd3">${v.streets.map((s) => html`<circle cx="${x(s.lon)}" cy="${y(s.lat)}" r="2"><title>${s.name}</title></circle>`)}</g>
<g>${v.points.map(
    (p) => html`<a href="/requests/${p.id}"><circle cx="${x(p.lon)}" cy="${y(p.lat)}" r="${p.late ? 7 : 5}" fill="${categoryColour(v.categories, p.category)}" stroke="${p.late ? '#000' : '#fff'}" stroke-width="${p.late ? 2 : 1}"><title>${p.trackingNumber} · ${categoryLabel(p.category)} · ${p.place}${p.late ? ' · late' : ''}</title></circle></a>`,
  )}</g>
</svg>`;
}

export function mapPage(ctx: PageContext, v: MapView): Html {
  const shown = [...new Set(v.points.map((p) => p.category))];
  return layout(
    { ...ctx, section: 'map' },
    'Map',
    html`<h1>Open requests on the map <span class="count">${v.points.length}</span></h1>
<form method="get" action="/map" class="search no-print">
  <label>Category <select name="category"><option value="">all</option>${v.categories.map((c) => html`<option value="${c}" ${c === v.category ? 'selected' : ''}>${categoryLabel(c)}</option>`)}</select></label>
  <button type="submit">Show</button>
</form>
<div class="map">
  ${mapSvg(v)}
  <ul class="legend">${shown.map((c) => html`<li><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="${categoryColour(v.categories, c)}"/></svg> ${categoryLabel(c)}</li>`)}<li>larger, black ring: late</li></ul>
  ${v.unplaced ? html`<p class="muted">${v.unplaced} open request(s) have no position and are not drawn: see <a href="/requests">Requests</a>.</p>` : ''}
</div>`,
  );
}
