// Open311 writes end to end, on the whole system (real PostgreSQL, Redis, workers, SMTP peer, HTTP on a
// socket): a civic app files a request by API key, with attributes and a photo URL, the way FixMyStreet's
// client does, and reads it back; the request is confirmed to the resident and routed like mail; an
// update posted for it lands in the thread, the department's mail and the updates feed.
import { XMLParser } from 'fast-xml-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createApiKey } from '../../src/web/queries/api-keys.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { testEnv } from '../helpers/system.ts';

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['request', 'error', 'request_update'].includes(name) });
type Doc = Record<string, unknown>;

interface Running {
  system: System;
  db: TestDb;
  smtp: SmtpPeer;
  base: string;
  key: string;
  stop(): Promise<void>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const db = await createTestDb();
  const smtp = await startSmtpPeer();
  const config = loadConfig(testEnv(db, { SMTP_URL: smtp.url, ...env }));
  const system = await startSystem(config, { intake: false, web: true, log: pino({ level: 'warn' }, pino.destination(2)), sweep: { intervalMs: 500, graceSeconds: 2 } });
  const { key } = await createApiKey(system.pool, { name: 'FixMyStreet Danbury', createdBy: 'admin@danbury.example' });
  return {
    system, db, smtp, key,
    base: `${system.webUrl}/open311/v2`,
    async stop() {
      await system.stop();
      await system.queues.close();
      await smtp.close();
      await db.drop();
    },
  };
}

async function getXml(url: string): Promise<{ status: number; doc: Doc }> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  return { status: res.status, doc: xml.parse(await res.text()) as Doc };
}

describe('Open311 POST then GET, answered at once', () => {
  let t: Running;
  beforeAll(async () => {
    t = await start({ CITYLINE_OPEN311_WAIT_MS: '15000' });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('files a request by API key with attributes and a photo URL, confirms and routes it, and reads it back', async () => {
    // The fields and their spelling are what FixMyStreet's Open311 client sends.
    const form = new URLSearchParams({
      api_key: t.key,
      jurisdiction_id: 'danbury.example',
      service_code: 'pothole',
      lat: '41.3948311',
      long: '-73.4540234',
      address_string: '1234 Padanaram Road',
      email: 'sam.reporter@resident.example',
      first_name: 'Sam',
      last_name: 'Reporter',
      phone: '203-555-0142',
      description: 'title: Deep pothole\n\ndetail: A deep pothole in the right lane, cars swerve round it.\n\nurl: https://fms.example/report/77\n\nSubmitted via FixMyStreet',
      media_url: 'https://fms.example/photo/77.jpeg',
      'attribute[size]': 'large',
      'attribute[blocking_traffic]': 'yes',
      'attribute[report_url]': 'https://fms.example/report/77',
    });
    const res = await fetch(`${t.base}/requests.xml`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
    expect(res.status).toBe(200);
    const posted = xml.parse(await res.text()) as { service_requests: { request: Doc[] } };
    const id = posted.service_requests.request[0]?.service_request_id as string;
    expect(id).toMatch(/^DB-/);
    expect(posted.service_requests.request[0]?.token).toBeUndefined();
    expect(String(posted.service_requests.request[0]?.service_notice)).toMatch(/Highway inspects/);

    const { status, doc } = await getXml(`${t.base}/requests/${id}.xml`);
    expect(status).toBe(200);
    const r = (doc.service_requests as { request: Doc[] }).request[0] as Doc;
    expect(r).toMatchObject({
      service_request_id: id, service_code: 'pothole', status: 'open', agency_responsible: 'Highway',
      lat: '41.395', long: '-73.454', media_url: 'https://fms.example/photo/77.jpeg', address: '1200-1299 block of Padanaram Road',
    });
    const json = (await (await fetch(`${t.base}/requests.json?service_request_id=${id}`)).json()) as Doc[];
    expect(json[0]).toMatchObject({ service_request_id: id, lat: 41.395, long: -73.454 });

    // Through the same pipeline as mail: one request, classified as the client said, routed, the key recorded.
    const { rows } = await t.db.pool.query(
      `SELECT r.category, r.status, r.confidence, r.channel, r.resident_email AS email, s.attributes, k.name AS key
         FROM requests r JOIN open311_submissions s ON s.inbound_message_id = r.source_message_id
         JOIN open311_api_keys k ON k.id = s.api_key_id WHERE r.tracking_number = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ category: 'pothole', status: 'routed', confidence: 1, channel: 'open311', email: 'sam.reporter@resident.example', attributes: { size: 'large', blocking_traffic: 'yes', report_url: 'https://fms.example/report/77' }, key: 'FixMyStreet Danbury' });
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes('sam.reporter@resident.example'), 20_000);
    expect(confirmation.parsed.subject).toContain(id);
    const ticket = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example'), 20_000);
    expect(ticket.parsed.text).toContain('How big is the pothole? Larger than a car tyre');
    expect(ticket.parsed.text).toContain('https://fms.example/photo/77.jpeg');
    expect(ticket.parsed.text).toContain('report_url: https://fms.example/report/77');

    // An update posted by the app: in the thread, sent on to the department, and in the updates feed.
    const since = new Date(Date.now() - 60_000).toISOString();
    const upd = await fetch(`${t.base}/servicerequestupdates.xml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: t.key, service_request_id: id, description: 'It has got bigger since Monday.', status: 'OPEN', email: 'sam.reporter@resident.example', first_name: 'Sam', last_name: 'Reporter', media_url: 'https://fms.example/photo/78.jpeg', update_id_ext: '991' }),
    });
    expect(upd.status).toBe(200);
    const updateId = ((xml.parse(await upd.text()) as { service_request_updates: { request_update: Doc[] } }).service_request_updates.request_update[0] as Doc).update_id;
    expect(updateId).toMatch(/^\d+$/);
    const feed = await getXml(`${t.base}/servicerequestupdates.xml?start_date=${encodeURIComponent(since)}`);
    const mine = ((feed.doc.service_request_updates as { request_update: Doc[] }).request_update).find((u) => u.update_id === updateId);
    expect(mine).toEqual({ update_id: updateId, service_request_id: id, status: 'open', updated_datetime: expect.stringMatching(/[+-]\d\d:\d\d$|Z$/), description: 'It has got bigger since Monday.', media_url: 'https://fms.example/photo/78.jpeg' });
    const forwarded = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && (m.parsed.text ?? '').includes('It has got bigger since Monday.'), 20_000);
    expect(forwarded.parsed.subject).toContain(id);
    const thread = await t.db.pool.query(
      `SELECT t.author, i.kind FROM thread_messages t JOIN inbound_messages i ON i.id = t.inbound_message_id
         JOIN requests r ON r.id = t.request_id WHERE r.tracking_number = $1 ORDER BY t.id`,
      [id],
    );
    expect(thread.rows).toEqual([{ author: 'resident', kind: 'new_request' }, { author: 'other', kind: 'open311_update' }]);

    // A new report that quotes the first one's number, from the same resident, is a request of its own.
    const again = await fetch(`${t.base}/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: t.key, service_code: 'streetlight', address_string: 'Padanaram Road', email: 'sam.reporter@resident.example', description: `Also the light is out, near ${id}` }),
    });
    const [second] = (await again.json()) as Doc[];
    expect(second?.service_request_id).toMatch(/^DB-/);
    expect(second?.service_request_id).not.toBe(id);
  });

  it('takes multipart/form-data with a list attribute and a photo upload', async () => {
    const form = new FormData();
    form.set('api_key', t.key);
    form.set('service_code', 'sidewalk');
    form.set('address_string', 'Main Street by the library');
    form.set('description', 'The sidewalk is lifted by tree roots.');
    form.append('attribute[hazard][]', 'raised');
    form.append('attribute[hazard][]', 'curb');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    form.set('media', new Blob([png], { type: 'image/png' }), 'sidewalk.png');
    const res = await fetch(`${t.base}/requests.json`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const [answer] = (await res.json()) as Doc[];
    const id = answer?.service_request_id as string;
    expect(id).toMatch(/^DB-/);
    const { rows } = await t.db.pool.query(
      `SELECT s.attributes, a.content_type AS type, a.filename FROM requests r JOIN open311_submissions s ON s.inbound_message_id = r.source_message_id
         JOIN attachments a ON a.inbound_message_id = r.source_message_id WHERE r.tracking_number = $1`,
      [id],
    );
    expect(rows).toEqual([{ attributes: { hazard: ['raised', 'curb'] }, type: 'image/png', filename: 'sidewalk.png' }]);
  });
});

describe('Open311 POST answered with a token', () => {
  let t: Running;
  beforeAll(async () => {
    t = await start({ CITYLINE_OPEN311_WAIT_MS: '0' });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('returns a token at once, which resolves to the service_request_id once the pipeline opened the request', async () => {
    const services = await getXml(`${t.base}/services.xml`);
    expect(((services.doc.services as { service: Doc[] }).service[0] as Doc).type).toBe('batch');
    const res = await fetch(`${t.base}/requests.xml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: t.key, service_code: 'dead_animal', lat: '41.40', long: '-73.45', description: 'Dead deer on the shoulder' }),
    });
    expect(res.status).toBe(200);
    const token = ((xml.parse(await res.text()) as { service_requests: { request: Doc[] } }).service_requests.request[0] as Doc).token as string;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const id = await waitFor(async () => {
      const { doc } = await getXml(`${t.base}/tokens/${token}.xml`);
      return ((doc.service_requests as { request: Doc[] }).request[0] as Doc).service_request_id as string | undefined;
    }, 20_000, 'the token to resolve');
    const { doc } = await getXml(`${t.base}/requests/${id}.xml`);
    expect((doc.service_requests as { request: Doc[] }).request[0]).toMatchObject({ service_code: 'dead_animal', lat: '41.4', long: '-73.45' });
  });
});
