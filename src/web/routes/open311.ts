// Open311 GeoReport v2, read side (https://wiki.open311.org/GeoReport_v2): the city's service list and
// its requests, for maps and civic apps. Public, like the standard intends, so it carries nothing
// personal: no resident name, address or text, only category, place, status and dates.
import type { FastifyInstance } from 'fastify';
import { TAXONOMY } from '../../classify/taxonomy.ts';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import { locationText } from '../../notify/compose.ts';
import { categoryLabel } from '../../notify/labels.ts';
import { FINISHED, OPEN } from '../../requests/status.ts';
import { normalizeTrackingNumber } from '../../requests/tracking-number.ts';
import { field } from '../forms.ts';
import type { RouteContext } from '../context.ts';
import { publicRequest, publicRequests, type PublicRequest } from '../queries/open311.ts';

const BASE = '/open311/v2';

function toGeoReport(r: PublicRequest) {
  return {
    service_request_id: r.trackingNumber,
    status: (FINISHED as readonly string[]).includes(r.status) ? 'closed' : 'open',
    status_notes: r.lastNote,
    service_name: categoryLabel(r.category as Category, 'en'),
    service_code: r.category,
    agency_responsible: r.departmentName,
    requested_datetime: r.createdAt.toISOString(),
    updated_datetime: r.updatedAt.toISOString(),
    address: locationText(r),
    lat: r.lat,
    long: r.lon,
  };
}

function date(value: string | null): Date | null | 'bad' {
  if (value === null) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? 'bad' : d;
}

export function open311Routes(app: FastifyInstance, ctx: RouteContext): void {
  app.get(`${BASE}/services.json`, { config: { public: true } }, async () =>
    CATEGORIES.map((code) => ({
      service_code: code,
      service_name: categoryLabel(code, 'en'),
      description: TAXONOMY[code].description,
      metadata: false,
      type: 'realtime',
      keywords: '',
      group: ctx.routing.departmentFor(code).name,
    })),
  );

  app.get(`${BASE}/requests.json`, { config: { public: true } }, async (request, reply) => {
    const q = request.query;
    const codes = field(q, 'service_code', 500)?.split(',').map((c) => c.trim()) ?? null;
    if (codes && codes.some((c) => !(CATEGORIES as readonly string[]).includes(c))) {
      return reply.code(400).send([{ code: 400, description: 'unknown service_code' }]);
    }
    const status = field(q, 'status', 20);
    if (status !== null && status !== 'open' && status !== 'closed') {
      return reply.code(400).send([{ code: 400, description: 'status must be open or closed' }]);
    }
    const from = date(field(q, 'start_date', 40));
    const to = date(field(q, 'end_date', 40));
    if (from === 'bad' || to === 'bad') return reply.code(400).send([{ code: 400, description: 'dates must be ISO 8601' }]);
    const rows = await publicRequests(ctx.pool, {
      categories: codes,
      statuses: status === null ? null : status === 'open' ? [...OPEN] : [...FINISHED],
      // The standard's default window is the last 90 days.
      from: from ?? (to ? null : new Date(Date.now() - 90 * 86_400_000)),
      to,
      limit: 1000,
    });
    return rows.map(toGeoReport);
  });

  app.get(`${BASE}/requests/:id.json`, { config: { public: true } }, async (request, reply) => {
    const id = normalizeTrackingNumber(ctx.config.trackingPrefix, (request.params as { id: string }).id);
    const found = id ? await publicRequest(ctx.pool, id) : null;
    if (!found) return reply.code(404).send([{ code: 404, description: 'no such service request' }]);
    return [toGeoReport(found)];
  });
}
