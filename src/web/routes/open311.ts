// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) with mySociety's servicerequestupdates
// extension, as FixMyStreet and other civic apps speak it: every endpoint in XML and JSON. Reads are
// public, as the standard intends, so they publish only what publish.ts allows; writes need an API key.
// Everything under the prefix answers in the spec's formats, errors and unknown paths included.
import etag from '@fastify/etag';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { isUnavailable } from '../../errors.ts';
import { TAXONOMY } from '../../classify/taxonomy.ts';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import { loadGazetteer } from '../../classify/gazetteer.ts';
import { fold } from '../../classify/street-names.ts';
import { submissionByToken } from '../../intake/open311-submission.ts';
import { categoryLabel } from '../../notify/labels.ts';
import { FINISHED, OPEN, STATUSES, type Status } from '../../requests/status.ts';
import { normalizeTrackingNumber } from '../../requests/tracking-number.ts';
import type { RouteContext } from '../context.ts';
import { field } from '../forms.ts';
import { formatOf, type Format, type Item } from '../open311/format.ts';
import { fail, Open311Error, send } from '../open311/http.ts';
import { blockAddress, coarse, EXTENDED_STATUS, openOrClosed } from '../open311/publish.ts';
import { loadServiceDefinitions, type ServiceDefinitions } from '../open311/services.ts';
import { publicRequests, publicUpdates, type PublicRequest } from '../queries/open311.ts';
import { open311WriteRoutes, openedWithin } from './open311-write.ts';

export const OPEN311_PREFIX = '/open311/v2';
const FORMATS: readonly Format[] = ['xml', 'json'];
const DAY_MS = 86_400_000;
/** The spec's limits on one GET requests: a span of 90 days, and 1,000 requests. */
const MAX_SPAN_MS = 90 * DAY_MS;
const MAX_RESULTS = 1000;

/** Internal statuses a status filter names: open, closed, or one of the extended statuses. */
function statusesFor(words: string[]): Status[] | 'bad' {
  const out = new Set<Status>();
  for (const w of words) {
    if (w === 'open') OPEN.forEach((s) => out.add(s));
    else if (w === 'closed') FINISHED.forEach((s) => out.add(s));
    else {
      const matching = STATUSES.filter((s) => EXTENDED_STATUS[s] === w);
      if (matching.length === 0) return 'bad';
      matching.forEach((s) => out.add(s));
    }
  }
  return [...out];
}

function list(value: string | null): string[] | null {
  if (value === null) return null;
  const items = value.split(',').map((v) => v.trim()).filter(Boolean);
  return items.length ? items : null;
}

function w3cDate(value: string | null, name: string): Date | null {
  if (value === null) return null;
  // A W3CDTF date alone, or a date and time with a zone; a time without a zone would mean different instants to different clients.
  if (!/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    throw new Open311Error(400, [`${name} must be a W3C datetime with a time zone, e.g. 2026-12-01T00:00:00Z`]);
  }
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw new Open311Error(400, [`${name} is not a real date`]);
  return d;
}

/** The window a GET covers: what the client asked, within the spec's 90 days; the last 90 days by default. */
export function dateWindow(start: Date | null, end: Date | null, now: Date): { from: Date; to: Date } {
  if (start && end) {
    if (end < start) throw new Open311Error(400, ['end_date is before start_date']);
    if (end.getTime() - start.getTime() > MAX_SPAN_MS) throw new Open311Error(400, ['start_date and end_date may not span more than 90 days']);
    return { from: start, to: end };
  }
  if (start) return { from: start, to: new Date(Math.min(now.getTime(), start.getTime() + MAX_SPAN_MS)) };
  const to = end ?? now;
  return { from: new Date(to.getTime() - MAX_SPAN_MS), to };
}

/** When this server's Open311 API last changed, for service discovery. */
const CHANGESET = '2026-12-02T00:00:00Z';

export async function open311Routes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const services = await loadServiceDefinitions(ctx.config.open311ServicesFile);
  // Service discovery (wiki.open311.org/Service_Discovery): where the API is and what it speaks.
  for (const format of FORMATS) {
    app.get(`/open311/discovery.${format}`, { config: { public: true } }, async (request, reply) =>
      send(reply.header('Access-Control-Allow-Origin', '*').header('Cache-Control', 'public, max-age=3600'), format, {
        root: 'discovery',
        object: {
          changeset: new Date(CHANGESET),
          contact: `${ctx.config.cityName} 311 <${ctx.config.fromAddress}>`,
          key_service: 'API keys for filing are issued by the city; ask 311 staff.',
          endpoints: [{
            specification: 'http://wiki.open311.org/GeoReport_v2',
            url: `${request.protocol}://${request.host}${OPEN311_PREFIX}`,
            changeset: new Date(CHANGESET),
            type: 'production',
            formats: ['text/xml', 'application/json'],
          }],
        },
      }),
    );
  }
  await app.register(async (api) => {
    await api.register(etag);
    await api.register(rateLimit, {
      max: ctx.config.open311ReadsPerMinute,
      timeWindow: 60_000,
      // Per client address: keys are checked only by the writes, so a made-up key cannot buy a fresh allowance.
      keyGenerator: (request) => request.ip,
      errorResponseBuilder: (_request, c) => Object.assign(new Error(`too many requests: at most ${c.max} a minute; try again in ${Math.ceil(c.ttl / 1000)} s`), { statusCode: 429 }),
    });
    await api.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: ctx.config.maxAttachmentBytes, files: 5, fields: 200, fieldSize: 64 * 1024 },
    });
    // Public data for any map or app, including ones in a browser on another site; no credentials are involved.
    api.addHook('onSend', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') {
        reply.header('Access-Control-Allow-Origin', '*').header('Cross-Origin-Resource-Policy', 'cross-origin');
      }
    });
    api.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
      const format = formatOf(request.url) ?? 'xml';
      if (err instanceof Open311Error) return fail(reply, format, err.status, ...err.descriptions);
      if (isUnavailable(err)) return fail(reply.header('Retry-After', '30'), format, 503, 'the service is unavailable for a moment; try again later');
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) request.log.error({ err, url: request.url }, 'open311 request failed');
      return fail(reply, format, status, status === 500 ? 'something went wrong on our side; it has been logged' : err.message);
    });
    api.setNotFoundHandler((request, reply) => fail(reply, formatOf(request.url) ?? 'xml', 404, `no such resource: ${request.method} ${request.url.split('?')[0]}`));
    readRoutes(api, ctx, services);
    open311WriteRoutes(api, ctx, services);
  }, { prefix: OPEN311_PREFIX });
}

function readRoutes(api: FastifyInstance, ctx: RouteContext, services: ServiceDefinitions): void {
  const gazetteer = loadGazetteer();
  const publicOpts = { config: { public: true } };

  function toGeoReport(r: PublicRequest, extended: boolean): Item {
    // Requests read from mail carry the street's coordinates only when the gazetteer knows them.
    const street = r.lat === null && r.street ? gazetteer.byName.get(fold(r.street)) : undefined;
    return {
      service_request_id: r.trackingNumber,
      status: extended ? EXTENDED_STATUS[r.status] : openOrClosed(r.status),
      status_notes: r.publicNote,
      service_name: categoryLabel(r.category as Category, 'en'),
      service_code: r.category,
      // What the resident wrote is theirs, not the public's: only the category says what it is about.
      description: null,
      agency_responsible: r.departmentName,
      service_notice: services.get(r.category as Category)?.serviceNotice ?? null,
      requested_datetime: r.createdAt,
      updated_datetime: r.updatedAt,
      address: blockAddress(r),
      lat: coarse(r.lat ?? street?.lat ?? null),
      long: coarse(r.lon ?? street?.lon ?? null),
      media_url: r.mediaUrl,
    };
  }

  for (const format of FORMATS) {
    api.get(`/services.${format}`, publicOpts, async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=300');
      return send(reply, format, {
        root: 'services',
        item: 'service',
        items: CATEGORIES.map((code) => {
          const def = services.get(code);
          return {
            service_code: code,
            service_name: categoryLabel(code, 'en'),
            description: TAXONOMY[code].description,
            metadata: (def?.attributes.length ?? 0) > 0,
            type: ctx.config.open311WaitMs > 0 ? 'realtime' : 'batch',
            keywords: def?.keywords ?? '',
            group: ctx.routing.departmentFor(code).name,
          };
        }),
      });
    });

    api.get(`/services/:code.${format}`, publicOpts, async (request, reply) => {
      const code = (request.params as { code: string }).code;
      const def = services.get(code as Category);
      if (!def) return fail(reply, format, 404, `service_code ${code} was not found`);
      reply.header('Cache-Control', 'public, max-age=300');
      return send(reply, format, {
        root: 'service_definition',
        object: {
          service_code: code,
          attributes: def.attributes.map((a) => ({
            variable: true,
            code: a.code,
            datatype: a.datatype,
            required: a.required,
            datatype_description: a.datatypeDescription,
            order: a.order,
            description: a.description,
            values: a.values.map((v) => ({ key: v.key, name: v.name })),
          })),
        },
      });
    });

    api.get(`/requests.${format}`, publicOpts, async (request, reply) => {
      const q = request.query;
      const extended = field(q, 'extensions', 10) === 'true';
      const ids = list(field(q, 'service_request_id', 20_000));
      let filter;
      if (ids) {
        // The spec: a list of ids overrides every other argument.
        const wanted = ids.map((id) => normalizeTrackingNumber(ctx.config.trackingPrefix, id)).filter((id): id is string => id !== null);
        filter = { trackingNumbers: wanted, categories: null, statuses: null, updatedFrom: null, updatedTo: null, limit: MAX_RESULTS };
      } else {
        const codes = list(field(q, 'service_code', 2000));
        const unknown = codes?.filter((c) => !(CATEGORIES as readonly string[]).includes(c)) ?? [];
        if (unknown.length) return fail(reply, format, 400, `service_code ${unknown.join(', ')} was not found`);
        const words = list(field(q, 'status', 500)?.toLowerCase() ?? null);
        const statuses = words ? statusesFor(words) : null;
        if (statuses === 'bad') return fail(reply, format, 400, `status must be open or closed (or one of ${[...new Set(Object.values(EXTENDED_STATUS))].join(', ')})`);
        const window = dateWindow(w3cDate(field(q, 'start_date', 40), 'start_date'), w3cDate(field(q, 'end_date', 40), 'end_date'), new Date());
        filter = { trackingNumbers: null, categories: codes, statuses, updatedFrom: window.from, updatedTo: window.to, limit: MAX_RESULTS };
      }
      const rows = await publicRequests(ctx.pool, filter);
      reply.header('Cache-Control', 'public, max-age=60');
      return send(reply, format, { root: 'service_requests', item: 'request', items: rows.map((r) => toGeoReport(r, extended)) });
    });

    api.get(`/requests/:id.${format}`, publicOpts, async (request, reply) => {
      const raw = (request.params as { id: string }).id;
      const id = normalizeTrackingNumber(ctx.config.trackingPrefix, raw);
      const rows = id ? await publicRequests(ctx.pool, { trackingNumbers: [id], categories: null, statuses: null, updatedFrom: null, updatedTo: null, limit: 1 }) : [];
      if (rows.length === 0) return fail(reply, format, 404, `service_request_id ${raw} was not found`);
      reply.header('Cache-Control', 'public, max-age=60');
      return send(reply, format, { root: 'service_requests', item: 'request', items: rows.map((r) => toGeoReport(r, field(request.query, 'extensions', 10) === 'true')) });
    });

    api.get(`/tokens/:token.${format}`, publicOpts, async (request, reply) => {
      const token = (request.params as { token: string }).token;
      const found = /^[0-9a-f]{32}$/.test(token) ? await submissionByToken(ctx.pool, token) : null;
      if (!found) return fail(reply, format, 404, `token ${token} was not found`);
      if (!found.trackingNumber && (found.state === 'failed' || found.state === 'ignored' || found.state === 'done')) {
        return fail(reply, format, 400, 'the submission could not be turned into a service request; staff can see it in the failed messages');
      }
      // FixMyStreet asks right after posting and gives up on the first empty answer, so a token still in the
      // pipeline gets the same short wait as the POST. Only the poster knows a token: a guess is a 404 at once.
      const id = found.trackingNumber ?? (ctx.config.open311WaitMs > 0 ? await openedWithin(ctx, token, ctx.config.open311WaitMs) : null);
      // Still in the pipeline: the token alone, so the client asks again later.
      return send(reply, format, { root: 'service_requests', item: 'request', items: [id ? { service_request_id: id, token } : { token }] });
    });

    api.get(`/servicerequestupdates.${format}`, publicOpts, async (request, reply) => {
      const q = request.query;
      const window = dateWindow(w3cDate(field(q, 'start_date', 40), 'start_date'), w3cDate(field(q, 'end_date', 40), 'end_date'), new Date());
      const updates = await publicUpdates(ctx.pool, { ...window, limit: MAX_RESULTS, sameAsOpened: STATUSES.filter((s) => EXTENDED_STATUS[s] === 'open') });
      reply.header('Cache-Control', 'public, max-age=60');
      return send(reply, format, {
        root: 'service_request_updates',
        item: 'request_update',
        items: updates.map((u) => ({
          update_id: String(u.id),
          service_request_id: u.trackingNumber,
          status: EXTENDED_STATUS[u.status],
          updated_datetime: u.at,
          description: u.publicNote ?? '',
          media_url: u.mediaUrl ?? '',
        })),
      });
    });
  }
}
