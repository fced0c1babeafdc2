// Request search, the request page, status changes and undoing a duplicate link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let b: Browser;

beforeAll(async () => {
  h = await startHarness();
  b = await h.signedIn('clerk@danbury.example');
});
afterAll(async () => {
  await h?.close();
});

describe('search', () => {
  it('finds requests by tracking number, resident, street, category, status, department and date', async () => {
    const pothole = await seedRequest(h.db, { from: 'maria@resident.example', street: 'Padanaram Road', status: 'routed', departmentCode: 'highway' });
    const tree = await seedRequest(h.db, { from: 'joe@resident.example', category: 'tree', street: 'Main Street', createdAt: new Date('2026-01-15T15:00:00Z') });
    const find = async (query: string) => {
      const res = await b.get(`/requests?${query}`);
      expect(res.statusCode, query).toBe(200);
      return { has: (t: string) => res.body.includes(t), body: res.body };
    };
    let r = await find(`q=${pothole.trackingNumber.toLowerCase()}`);
    expect(r.has(pothole.trackingNumber) && !r.has(tree.trackingNumber)).toBe(true);
    r = await find('q=maria');
    expect(r.has(pothole.trackingNumber) && !r.has(tree.trackingNumber)).toBe(true);
    r = await find('street=padanaram');
    expect(r.has(pothole.trackingNumber) && !r.has(tree.trackingNumber)).toBe(true);
    r = await find('category=tree');
    expect(!r.has(pothole.trackingNumber) && r.has(tree.trackingNumber)).toBe(true);
    r = await find('status=routed&department=highway');
    expect(r.has(pothole.trackingNumber) && !r.has(tree.trackingNumber)).toBe(true);
    r = await find('from=2026-01-15&to=2026-01-15');
    expect(!r.has(pothole.trackingNumber) && r.has(tree.trackingNumber)).toBe(true);
    r = await find('from=2026-01-16&to=2026-01-20');
    expect(r.has(tree.trackingNumber)).toBe(false);
    // Values that are not a known category or a date are ignored rather than failing the page.
    r = await find('category=%3Cscript%3E&from=yesterday');
    expect(r.has(pothole.trackingNumber) && r.has(tree.trackingNumber)).toBe(true);
    expect(r.body).not.toContain('<script>');
  });
});

describe('request page', () => {
  it('shows the thread in order, the status history with who and when, the classification and the routing', async () => {
    const r = await seedRequest(h.db, { authored: 'Pothole on Main', status: 'routed', departmentCode: 'highway' });
    const { rows } = await h.db.pool.query<{ id: number }>(
      `INSERT INTO outbox (dedupe_key, request_id, kind, to_address, subject, message_id, text_body, state, sent_at)
       VALUES ($1, $2, 'routed_ticket', 'highway@danbury.example', $3, $4, 'Please fix', 'sent', now()) RETURNING id`,
      [`t-${r.id}`, r.id, `[${r.trackingNumber}] Pothole`, `<t-${r.id}@cityline>`],
    );
    await h.db.pool.query(`INSERT INTO thread_messages (request_id, direction, author, outbox_id) VALUES ($1, 'out', 'system', $2)`, [r.id, rows[0]?.id]);
    const res = await b.get(`/requests/${r.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Pothole on Main');
    expect(res.body.indexOf('Pothole on Main')).toBeLessThan(res.body.indexOf('highway@danbury.example</span> · sent'));
    expect(res.body).toContain('Highway');
    expect(res.body).toMatch(/<td>pipeline<\/td>/);
    expect(res.body).toContain('classified');
    expect(res.body).toContain('42%');
  });

  it('changes the status with a note, records who, and emails the resident threaded with the tracking number', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    await b.get(`/requests/${r.id}`);
    const res = await b.post(`/requests/${r.id}/status`, { to: 'resolved', note: 'Filled on Tuesday' });
    expect(res.statusCode).toBe(303);
    const page = await b.get(`/requests/${r.id}`);
    expect(page.body).toMatch(/<span id="request-status"><span class="status status-resolved">resolved<\/span>/);
    expect(page.body).toMatch(/<td>clerk@danbury\.example<\/td><td>Filled on Tuesday<\/td>/);
    const { rows } = await h.db.pool.query(`SELECT kind, to_address, subject, in_reply_to FROM outbox WHERE request_id = $1`, [r.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'status_update', to_address: 'pat@resident.example' });
    expect(rows[0].subject).toContain(r.trackingNumber);
    expect(rows[0].in_reply_to).toContain('@resident.example');
  });

  it('refuses a move the status machine does not allow, and says why', async () => {
    const r = await seedRequest(h.db, { status: 'needs_review' });
    await b.get(`/requests/${r.id}`);
    const res = await b.post(`/requests/${r.id}/status`, { to: 'resolved', note: '' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('cannot move from needs_review to resolved');
    expect((await b.post(`/requests/${r.id}/status`, { to: 'exploded' })).statusCode).toBe(400);
  });

  it('unlinks a duplicate and puts it back in review', async () => {
    const original = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const dup = await seedRequest(h.db, { status: 'duplicate', duplicateOf: original.id });
    const page = await b.get(`/requests/${dup.id}`);
    expect(page.body).toContain(`<a href="/requests/${original.id}">${original.trackingNumber}</a>`);
    const res = await b.post(`/requests/${dup.id}/unlink`, {});
    expect(res.statusCode).toBe(303);
    const { rows } = await h.db.pool.query('SELECT status, duplicate_of FROM requests WHERE id = $1', [dup.id]);
    expect(rows[0]).toEqual({ status: 'needs_review', duplicate_of: null });
    expect((await b.post(`/requests/${dup.id}/unlink`, {})).statusCode).toBe(409);
  });

  it('answers 404 for a request that does not exist', async () => {
    expect((await b.get('/requests/987654')).statusCode).toBe(404);
  });
});
