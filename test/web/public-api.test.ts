// The two doors that need no staff session: the HTTP intake (bearer token) and the Open311 read API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTrackingNumber } from '../../src/requests/tracking-number.ts';
import { seedRequest, startHarness, type Harness } from './harness.ts';

const TOKEN = 'inbound-test-token-0123456789abcdef';

describe('HTTP intake', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CITYLINE_INBOUND_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (url: string, payload: string | object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${TOKEN}`, ...headers } });

  it('stores a web-form submission as a message, queues it, and knows it when it is sent again', async () => {
    const form = { email: 'ana@resident.example', name: 'Ana Souza', subject: 'Buraco na rua', body: 'Tem um buraco enorme na Padanaram Road.', channel: 'web', id: 'form-77' };
    const first = await post('/inbound/form', form);
    expect(first.statusCode).toBe(202);
    const { id, duplicate } = first.json() as { id: number; duplicate: boolean };
    expect(duplicate).toBe(false);
    const again = await post('/inbound/form', form);
    expect(again.json()).toEqual({ id, duplicate: true });
    const { rows } = await h.db.pool.query<{ source: string; raw: Buffer }>('SELECT source, raw FROM inbound_messages WHERE id = $1', [id]);
    expect(rows[0]?.source).toBe('http');
    const raw = rows[0]?.raw.toString('utf8') ?? '';
    expect(raw).toMatch(/^From: Ana Souza <ana@resident\.example>/m);
    expect(raw).toMatch(/^X-CityLine-Channel: web/im);
    expect(await h.queues.queue('parse').getJob(`parse-${id}`)).toBeTruthy();
  });

  it('takes a raw message from a mail gateway', async () => {
    const raw = 'From: joe@resident.example\r\nTo: cityline311@danbury.example\r\nSubject: tree down\r\nMessage-ID: <gw-1@resident.example>\r\n\r\nTree down on Main Street\r\n';
    const res = await post('/inbound/message', raw, { 'content-type': 'message/rfc822' });
    expect(res.statusCode).toBe(202);
    expect((await post('/inbound/message', raw, { 'content-type': 'text/plain' })).statusCode).toBe(415);
  });

  it('refuses without the token, and says what is wrong with a bad submission', async () => {
    const form = { email: 'a@resident.example', body: 'pothole' };
    expect((await post('/inbound/form', form, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/inbound/form', payload: form })).statusCode).toBe(401);
    const bad = await post('/inbound/form', { email: 'not-an-address', body: 'pothole' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.stringContaining('email') });
    expect((await post('/inbound/form', { email: 'a@resident.example' })).statusCode).toBe(400);
  });
});

describe('HTTP intake switched off', () => {
  it('is not there without CITYLINE_INBOUND_TOKEN', async () => {
    const h = await startHarness();
    try {
      const res = await h.app.inject({ method: 'POST', url: '/inbound/form', payload: { email: 'a@resident.example', body: 'x' } });
      expect(res.statusCode).not.toBe(202);
      expect([401, 404]).toContain(res.statusCode);
    } finally {
      await h.close();
    }
  });
});

describe('Open311 GeoReport v2', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the services with their departments', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/open311/v2/services.json' });
    expect(res.statusCode).toBe(200);
    const services = res.json() as { service_code: string; group: string }[];
    expect(services).toHaveLength(17);
    expect(services.find((s) => s.service_code === 'pothole')?.group).toBe('Highway');
  });

  it('shows requests without anything personal, filtered by status and service, and one by tracking number', async () => {
    const open = await seedRequest(h.db, { from: 'private@resident.example', street: 'Padanaram Road', status: 'routed', departmentCode: 'highway' });
    const closed = await seedRequest(h.db, { category: 'tree', street: 'Main Street', status: 'resolved' });
    const tracking = formatTrackingNumber('DB', 5000 + open.id);
    await h.db.pool.query('UPDATE requests SET tracking_number = $2 WHERE id = $1', [open.id, tracking]);

    const all = await h.app.inject({ method: 'GET', url: '/open311/v2/requests.json' });
    expect(all.statusCode).toBe(200);
    expect(all.body).not.toContain('private@resident.example');
    expect(all.body).not.toContain('Pat Resident');
    const openOnly = (await h.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=open&service_code=pothole' })).json() as { service_request_id: string; status: string; agency_responsible: string }[];
    expect(openOnly.map((r) => r.service_request_id)).toEqual([tracking]);
    expect(openOnly[0]).toMatchObject({ status: 'open', agency_responsible: 'Highway' });
    const closedOnly = (await h.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=closed' })).json() as { service_request_id: string }[];
    expect(closedOnly.map((r) => r.service_request_id)).toEqual([closed.trackingNumber]);

    const one = await h.app.inject({ method: 'GET', url: `/open311/v2/requests/${tracking.toLowerCase()}.json` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual([expect.objectContaining({ service_request_id: tracking, service_code: 'pothole', address: expect.stringContaining('Padanaram Road') })]);
    expect((await h.app.inject({ method: 'GET', url: '/open311/v2/requests/DB-ZZZZZ.json' })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/open311/v2/requests.json?service_code=nope' })).statusCode).toBe(400);
  });
});
