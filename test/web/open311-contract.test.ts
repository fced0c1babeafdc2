// Open311 GeoReport v2 contract: every endpoint in both formats, read with an XML parser (not string
// matching) and checked against the spec's shapes; what it publishes about people (issue 9 item 6); and
// the refusals a client must be able to read (missing or revoked key, bad input, unknown paths, limits).
import { XMLParser } from 'fast-xml-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.ts';
import { changeStatus } from '../../src/requests/actions.ts';
import { formatTrackingNumber } from '../../src/requests/tracking-number.ts';
import { createWebApp } from '../../src/web/app.ts';
import { createApiKey, revokeApiKey } from '../../src/web/queries/api-keys.ts';
import { seedRequest, startHarness, type Harness, type Seed } from './harness.ts';

const BASE = '/open311/v2';
// W3CDTF to the second with a zone, as the spec requires of every datetime.
const W3CDTF = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
// Lists are arrays even with one element, so the shapes below read the same for one item or many.
const LISTS = new Set(['service', 'request', 'error', 'attribute', 'value', 'request_update']);
const xml = new XMLParser({ parseTagValue: false, isArray: (name) => LISTS.has(name) });

type Doc = Record<string, unknown>;
type Fmt = 'xml' | 'json';

/** Fetches a path in one format and returns the body as the same JS shape for both (XML unwrapped from its root). */
async function fetchDoc(h: Harness, path: string, fmt: Fmt, root: string, item: string | null, init: { method?: 'GET' | 'POST'; payload?: string; headers?: Record<string, string> } = {}) {
  const url = `${BASE}/${path.replace('{fmt}', fmt)}`;
  const res = await h.app.inject({ method: init.method ?? 'GET', url, payload: init.payload, headers: init.headers });
  const type = String(res.headers['content-type']);
  expect(type).toBe(fmt === 'xml' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8');
  let body: unknown;
  if (fmt === 'json') body = JSON.parse(res.body);
  else {
    expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const parsed = xml.parse(res.body) as Doc;
    expect(Object.keys(parsed).filter((k) => k !== '?xml')).toEqual([root]);
    const inner = parsed[root];
    body = item === null ? inner : inner === '' ? [] : ((inner as Doc)[item] ?? []);
  }
  return { res, body };
}

/** JSON keeps booleans and numbers; XML has text. Compare values as the text a client reads. */
function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** A seeded request with a tracking number of the real form (the seed's random one does not check out). */
async function seed(h: Harness, s: Seed) {
  const r = await seedRequest(h.db, s);
  const trackingNumber = formatTrackingNumber('DB', 5000 + r.id);
  await h.db.pool.query('UPDATE requests SET tracking_number = $2 WHERE id = $1', [r.id, trackingNumber]);
  return { ...r, trackingNumber };
}

const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const REQUEST_FIELDS = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible',
  'service_notice', 'requested_datetime', 'updated_datetime', 'address', 'lat', 'long', 'media_url'];

describe('Open311 GeoReport v2: contract, both formats', () => {
  let h: Harness;
  let tracking: string;
  let key: string;
  beforeAll(async () => {
    h = await startHarness();
    const seeded = await seed(h, { from: 'maria.home@resident.example', street: 'Main Street', status: 'routed', departmentCode: 'highway' });
    tracking = seeded.trackingNumber;
    // A house number and exact coordinates (as a signature's home address would give), and two notes.
    await h.db.pool.query(`UPDATE requests SET house_number = '1234', lat = 41.3948311, lon = -73.4540234 WHERE id = $1`, [seeded.id]);
    await changeStatus({ pool: h.db.pool, config: h.config, routing: h.routing, enqueue: async () => {} }, {
      requestId: seeded.id,
      to: 'in_progress',
      note: 'Maria, call me back on 203-555-0188 when you are home.',
      publicNote: 'Crew scheduled for Monday.',
      actor: 'staff@danbury.example',
    });
    key = (await createApiKey(h.db.pool, { name: 'Contract client', createdBy: 'admin@danbury.example' })).key;
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const fmt of ['xml', 'json'] as const) {
    describe(fmt, () => {
      it('services: every category with the spec fields, metadata true where questions are configured', async () => {
        const { res, body } = await fetchDoc(h, 'services.{fmt}', fmt, 'services', 'service');
        expect(res.statusCode).toBe(200);
        const services = body as Doc[];
        expect(services).toHaveLength(17);
        for (const s of services) expect(Object.keys(s).sort()).toEqual([...SERVICE_FIELDS].sort());
        const pothole = services.find((s) => s.service_code === 'pothole') as Doc;
        expect(text(pothole.metadata)).toBe('true');
        expect(text(pothole.group)).toBe('Highway');
        expect(text(pothole.type)).toMatch(/^(realtime|batch)$/);
        expect(text(services.find((s) => s.service_code === 'dead_animal')?.metadata)).toBe('false');
      });

      it('service definition: attributes with code, datatype, required, variable, order, description and values', async () => {
        const { res, body } = await fetchDoc(h, 'services/pothole.{fmt}', fmt, 'service_definition', null);
        expect(res.statusCode).toBe(200);
        const def = body as Doc;
        expect(text(def.service_code)).toBe('pothole');
        const attrs = (fmt === 'xml' ? (def.attributes as Doc).attribute : def.attributes) as Doc[];
        expect(attrs.map((a) => text(a.code))).toEqual(['size', 'blocking_traffic', 'depth_inches']);
        expect(attrs.map((a) => text(a.order))).toEqual(['1', '2', '3']);
        const size = attrs[0] as Doc;
        expect(text(size.datatype)).toBe('singlevaluelist');
        expect(text(size.required)).toBe('true');
        expect(text(size.variable)).toBe('true');
        const values = (fmt === 'xml' ? (size.values as Doc).value : size.values) as Doc[];
        expect(values.map((v) => text(v.key))).toEqual(['small', 'medium', 'large']);
        expect(text(values[0]?.name)).toBe('Smaller than a dinner plate');
        expect(text((attrs[2] as Doc).datatype)).toBe('number');
        const none = await fetchDoc(h, 'services/dead_animal.{fmt}', fmt, 'service_definition', null);
        expect(text((none.body as Doc).attributes)).toBe('');
        const missing = await fetchDoc(h, 'services/nope.{fmt}', fmt, 'errors', 'error');
        expect(missing.res.statusCode).toBe(404);
        expect(text((missing.body as Doc[])[0]?.code)).toBe('404');
      });

      it('requests: the spec fields, W3CDTF dates, and nothing personal (block, coarse point, public note only)', async () => {
        const { res, body } = await fetchDoc(h, 'requests.{fmt}', fmt, 'service_requests', 'request');
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toContain('maria.home');
        expect(res.body).not.toContain('1234');
        expect(res.body).not.toContain('555-0188');
        expect(res.body).not.toContain('41.3948311');
        const r = (body as Doc[]).find((x) => text(x.service_request_id) === tracking) as Doc;
        expect(Object.keys(r).sort()).toEqual([...REQUEST_FIELDS].sort());
        expect(text(r.status)).toBe('open');
        expect(text(r.status_notes)).toBe('Crew scheduled for Monday.');
        expect(text(r.address)).toBe('1200-1299 block of Main Street');
        expect(text(r.lat)).toBe('41.395');
        expect(text(r.long)).toBe('-73.454');
        expect(text(r.agency_responsible)).toBe('Highway');
        expect(text(r.service_notice)).toMatch(/Highway inspects/);
        expect(text(r.description)).toBe('');
        expect(text(r.requested_datetime)).toMatch(W3CDTF);
        expect(text(r.updated_datetime)).toMatch(W3CDTF);
      });

      it('one request by id, a comma list of ids, and the extended status on request', async () => {
        const other = await seed(h, { category: 'tree', street: 'Elm Street', status: 'resolved' });
        const one = await fetchDoc(h, `requests/${tracking.toLowerCase()}.{fmt}`, fmt, 'service_requests', 'request');
        expect((one.body as Doc[]).map((x) => text(x.service_request_id))).toEqual([tracking]);
        const both = await fetchDoc(h, `requests.{fmt}?service_request_id=${tracking},${other.trackingNumber}`, fmt, 'service_requests', 'request');
        expect((both.body as Doc[]).map((x) => text(x.service_request_id)).sort()).toEqual([tracking, other.trackingNumber].sort());
        const extended = await fetchDoc(h, `requests.{fmt}?service_request_id=${tracking},${other.trackingNumber}&extensions=true`, fmt, 'service_requests', 'request');
        const statuses = Object.fromEntries((extended.body as Doc[]).map((x) => [text(x.service_request_id), text(x.status)]));
        expect(statuses).toEqual({ [tracking]: 'in_progress', [other.trackingNumber]: 'fixed' });
        const closed = await fetchDoc(h, 'requests.{fmt}?status=closed', fmt, 'service_requests', 'request');
        const closedIds = (closed.body as Doc[]).map((x) => text(x.service_request_id));
        expect(closedIds).toContain(other.trackingNumber);
        expect(closedIds).not.toContain(tracking);
        const missing = await fetchDoc(h, 'requests/DB-ZZZZZ.{fmt}', fmt, 'errors', 'error');
        expect(missing.res.statusCode).toBe(404);
      });

      it('servicerequestupdates: status changes in the window, with the public note as description', async () => {
        const since = new Date(Date.now() - 3_600_000).toISOString();
        const { res, body } = await fetchDoc(h, `servicerequestupdates.{fmt}?start_date=${since}`, fmt, 'service_request_updates', 'request_update');
        expect(res.statusCode).toBe(200);
        const updates = (body as Doc[]).filter((u) => text(u.service_request_id) === tracking);
        for (const u of updates) expect(Object.keys(u).sort()).toEqual(['description', 'media_url', 'service_request_id', 'status', 'update_id', 'updated_datetime']);
        // The opening (and moves the public cannot see, like review or routing) are not updates.
        expect(updates.map((u) => text(u.status))).toEqual(['in_progress']);
        const started = updates[0] as Doc;
        expect(text(started.description)).toBe('Crew scheduled for Monday.');
        expect(text(started.updated_datetime)).toMatch(W3CDTF);
        expect(res.body).not.toContain('555-0188');
      });

      it('service discovery names the GeoReport v2 endpoint and both formats', async () => {
        const res = await h.app.inject({ method: 'GET', url: `/open311/discovery.${fmt}`, headers: { host: 'api.danbury.example' } });
        expect(res.statusCode).toBe(200);
        const doc = fmt === 'json' ? (JSON.parse(res.body) as Doc) : ((new XMLParser({ parseTagValue: false, isArray: (n) => n === 'endpoint' || n === 'format' }).parse(res.body) as Doc).discovery as Doc);
        const endpoints = (fmt === 'xml' ? (doc.endpoints as Doc).endpoint : doc.endpoints) as Doc[];
        expect(endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', url: 'http://api.danbury.example/open311/v2', type: 'production' });
        const formats = (fmt === 'xml' ? ((endpoints[0] as Doc).formats as Doc).format : (endpoints[0] as Doc).formats) as string[];
        expect(formats).toEqual(['text/xml', 'application/json']);
        expect(text(doc.changeset)).toMatch(W3CDTF);
      });

      it('tokens: an unknown token is a 404 in the spec format', async () => {
        const { res, body } = await fetchDoc(h, `tokens/${'0'.repeat(32)}.{fmt}`, fmt, 'errors', 'error');
        expect(res.statusCode).toBe(404);
        expect(text((body as Doc[])[0]?.description)).toMatch(/token/);
      });

      it('unknown public paths answer 404 in the requested format, not "sign in first"', async () => {
        for (const path of ['nothing.{fmt}', 'services/pothole/extra.{fmt}', 'update.{fmt}']) {
          const { res, body } = await fetchDoc(h, path, fmt, 'errors', 'error');
          expect(res.statusCode).toBe(404);
          expect(text((body as Doc[])[0]?.code)).toBe('404');
        }
      });

      it('refuses a POST without a key, with a wrong key or a revoked one, in the spec error format', async () => {
        const form = (extra: Record<string, string>) => new URLSearchParams({ service_code: 'dead_animal', lat: '41.39', long: '-73.45', description: 'Dead deer', ...extra }).toString();
        const headers = { 'content-type': 'application/x-www-form-urlencoded' };
        const missing = await fetchDoc(h, 'requests.{fmt}', fmt, 'errors', 'error', { method: 'POST', payload: form({}), headers });
        expect(missing.res.statusCode).toBe(400);
        expect(text((missing.body as Doc[])[0]?.description)).toBe('api_key was not provided');
        const wrong = await fetchDoc(h, 'requests.{fmt}', fmt, 'errors', 'error', { method: 'POST', payload: form({ api_key: 'o311_not-a-real-key' }), headers });
        expect(wrong.res.statusCode).toBe(403);
        const revoked = await createApiKey(h.db.pool, { name: 'Old app', createdBy: 'admin@danbury.example' });
        await revokeApiKey(h.db.pool, revoked.id, 'admin@danbury.example');
        const refused = await fetchDoc(h, 'requests.{fmt}', fmt, 'errors', 'error', { method: 'POST', payload: form({ api_key: revoked.key }), headers });
        expect(refused.res.statusCode).toBe(403);
        expect(text((refused.body as Doc[])[0]?.code)).toBe('403');
        expect(text((refused.body as Doc[])[0]?.description)).toMatch(/revoked/);
        const update = await fetchDoc(h, 'servicerequestupdates.{fmt}', fmt, 'errors', 'error', {
          method: 'POST', payload: new URLSearchParams({ api_key: revoked.key, service_request_id: tracking, description: 'still there' }).toString(), headers,
        });
        expect(update.res.statusCode).toBe(403);
        const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM open311_submissions');
        expect(rows[0]).toEqual({ n: 0 });
      });

      it('validates a POST against the service definition, every problem as one <error>', async () => {
        const payload = new URLSearchParams({ api_key: key, service_code: 'pothole', description: 'Big hole', 'attribute[size]': 'huge', 'attribute[colour]': 'red', media_url: 'javascript:alert(1)' }).toString();
        const { res, body } = await fetchDoc(h, 'requests.{fmt}', fmt, 'errors', 'error', { method: 'POST', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        expect(res.statusCode).toBe(400);
        const messages = (body as Doc[]).map((e) => text(e.description));
        expect(messages).toEqual(expect.arrayContaining([
          expect.stringMatching(/location is required/),
          expect.stringMatching(/media_url/),
          expect.stringMatching(/attribute\[size\] must be one of small, medium, large/),
          expect.stringMatching(/attribute\[blocking_traffic\] is required/),
        ]));
        for (const e of body as Doc[]) expect(text(e.code)).toBe('400');
        // An answer to a question the service does not ask is kept, not refused (clients add their own).
        expect(messages.join(' ')).not.toContain('colour');
        const unknown = await fetchDoc(h, 'requests.{fmt}', fmt, 'errors', 'error', {
          method: 'POST', payload: new URLSearchParams({ api_key: key, service_code: 'nope', description: 'x', lat: '41', long: '-73' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(unknown.res.statusCode).toBe(404);
      });

      it('refuses bad query arguments in the spec error format', async () => {
        for (const q of ['service_code=nope', 'status=maybe', 'start_date=yesterday', 'start_date=2026-01-01T00:00:00', 'start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z']) {
          const { res } = await fetchDoc(h, `requests.{fmt}?${q}`, fmt, 'errors', 'error');
          expect(res.statusCode, q).toBe(400);
        }
      });
    });
  }

  it('stores a valid POST first and queues it; with no pipeline running it answers a token after the wait', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${BASE}/requests.json`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: key, service_code: 'pothole', address_string: 'Padanaram Road by the gas station', description: 'Hole in the right lane', 'attribute[size]': 'small', 'attribute[blocking_traffic]': 'no' }).toString(),
    });
    expect(res.statusCode).toBe(200);
    const [answer] = JSON.parse(res.body) as Doc[];
    expect(answer).toEqual({ token: expect.stringMatching(/^[0-9a-f]{32}$/), service_notice: expect.stringMatching(/Highway/), account_id: null });
    const { rows } = await h.db.pool.query<{ id: number; state: string; raw: Buffer }>(
      'SELECT m.id, m.state, m.raw FROM open311_submissions s JOIN inbound_messages m ON m.id = s.inbound_message_id WHERE s.token = $1', [answer?.token],
    );
    expect(rows[0]?.state).toBe('stored');
    expect(rows[0]?.raw.toString()).toContain('Hole in the right lane');
    expect(await h.queues.queue('parse').getJob(`parse-${rows[0]?.id}`)).toBeTruthy();
    const pending = await fetchDoc(h, `tokens/${answer?.token as string}.{fmt}`, 'xml', 'service_requests', 'request');
    expect(pending.body).toEqual([{ token: answer?.token }]);
  }, 20_000);

  it('a poll by updated_datetime finds a request created long before but updated in the window', async () => {
    const old = await seed(h, { category: 'streetlight', street: 'Deer Hill Avenue', status: 'routed', departmentCode: 'traffic', createdAt: new Date(Date.now() - 40 * 86_400_000) });
    await h.db.pool.query(`UPDATE requests SET updated_at = now() - interval '40 days' WHERE id = $1`, [old.id]);
    const start = new Date(Date.now() - 60_000).toISOString();
    const before = await fetchDoc(h, `requests.{fmt}?start_date=${encodeURIComponent(start)}`, 'xml', 'service_requests', 'request');
    expect((before.body as Doc[]).map((x) => text(x.service_request_id))).not.toContain(old.trackingNumber);
    await changeStatus({ pool: h.db.pool, config: h.config, routing: h.routing, enqueue: async () => {} }, {
      requestId: old.id, to: 'resolved', note: null, publicNote: 'New lamp fitted.', actor: 'department:traffic',
    });
    const end = new Date(Date.now() + 60_000).toISOString();
    for (const fmt of ['xml', 'json'] as const) {
      const after = await fetchDoc(h, `requests.{fmt}?start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`, fmt, 'service_requests', 'request');
      const found = (after.body as Doc[]).find((x) => text(x.service_request_id) === old.trackingNumber) as Doc;
      expect(text(found.status)).toBe('closed');
      expect(text(found.status_notes)).toBe('New lamp fitted.');
      expect(new Date(text(found.requested_datetime)).getTime()).toBeLessThan(Date.now() - 39 * 86_400_000);
      expect(new Date(text(found.updated_datetime)).getTime()).toBeGreaterThan(Date.parse(start) - 1000);
      const updates = await fetchDoc(h, `servicerequestupdates.{fmt}?start_date=${encodeURIComponent(start)}`, fmt, 'service_request_updates', 'request_update');
      const mine = (updates.body as Doc[]).filter((u) => text(u.service_request_id) === old.trackingNumber);
      expect(mine.at(-1)).toMatchObject({ status: 'fixed', description: 'New lamp fitted.' });
    }
  });

  it('answers If-None-Match with 304 (ETag), so polling clients cost little', async () => {
    const first = await h.app.inject({ method: 'GET', url: `${BASE}/services.xml` });
    const tag = first.headers.etag as string;
    expect(tag).toBeTruthy();
    expect(first.headers['cache-control']).toMatch(/public/);
    const again = await h.app.inject({ method: 'GET', url: `${BASE}/services.xml`, headers: { 'if-none-match': tag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('escapes what it publishes and strips what XML cannot carry', async () => {
    const r = await seed(h, { street: 'Main Street', status: 'routed' });
    await changeStatus({ pool: h.db.pool, config: h.config, routing: h.routing, enqueue: async () => {} }, {
      requestId: r.id, to: 'in_progress', note: null, publicNote: 'Crew <b>& co</b> \u0007scheduled "soon" — ñ', actor: 'staff@danbury.example',
    });
    const res = await h.app.inject({ method: 'GET', url: `${BASE}/requests/${r.trackingNumber}.xml` });
    const doc = xml.parse(res.body) as { service_requests: { request: Doc[] } };
    expect(doc.service_requests.request[0]?.status_notes).toBe('Crew <b>& co</b> scheduled "soon" — ñ');
  });
});

describe('Open311 rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CITYLINE_OPEN311_READS_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 429 in the requested format once a client used its allowance, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await h.app.inject({ method: 'GET', url: `${BASE}/services.json` })).statusCode).toBe(200);
    const limited = await h.app.inject({ method: 'GET', url: `${BASE}/requests.xml` });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeTruthy();
    const doc = xml.parse(limited.body) as { errors: { error: Doc[] } };
    expect(text(doc.errors.error[0]?.code)).toBe('429');
    // Another client is not held back by the first, and the staff app is not limited at all.
    expect((await h.app.inject({ method: 'GET', url: `${BASE}/services.json`, remoteAddress: '10.0.0.7' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('Open311 when PostgreSQL is unreachable', () => {
  it('answers 503 with Retry-After in the spec format, so clients try again', async () => {
    const h = await startHarness();
    const down = createPool('postgres://postgres@127.0.0.1:1/nowhere', 1);
    const app = await createWebApp({ pool: down, config: h.config, routing: h.routing, targets: h.targets, queues: h.queues, log: pino({ level: 'silent' }) });
    try {
      const res = await app.inject({ method: 'GET', url: `${BASE}/requests.xml` });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(text((xml.parse(res.body) as { errors: { error: Doc[] } }).errors.error[0]?.code)).toBe('503');
    } finally {
      await app.close();
      await down.end();
      await h.close();
    }
  });
});
