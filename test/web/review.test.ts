// The review queue and the decision: confirm or correct, route to the department, keep the training example.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let b: Browser;

beforeAll(async () => {
  h = await startHarness();
  b = await h.signedIn('reviewer@danbury.example');
});
afterAll(async () => {
  await h?.close();
});

async function requestRow(id: number) {
  const { rows } = await h.db.pool.query(
    'SELECT status, category, street, house_number AS "houseNumber", department_code AS "departmentCode", lat FROM requests WHERE id = $1',
    [id],
  );
  return rows[0];
}

describe('review queue', () => {
  it('lists requests needing review, oldest first, with why each is there', async () => {
    const older = await seedRequest(h.db, { subject: 'Older one', reviewReasons: ['no_location'], street: null, createdAt: new Date(Date.now() - 3 * 3600_000) });
    const newer = await seedRequest(h.db, { subject: 'Newer one', reviewReasons: ['outside_city'], createdAt: new Date(Date.now() - 3600_000) });
    const routed = await seedRequest(h.db, { subject: 'Already routed', status: 'routed', departmentCode: 'highway' });
    const res = await b.get('/review');
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body.indexOf(older.trackingNumber)).toBeGreaterThan(-1);
    expect(body.indexOf(older.trackingNumber)).toBeLessThan(body.indexOf(newer.trackingNumber));
    expect(body).not.toContain(routed.trackingNumber);
    expect(body).toContain('no location');
    expect(body).toContain('outside Danbury');
    // The oldest is what Enter opens.
    expect(body).toMatch(new RegExp(`<a href="/review/${older.id}" data-first>`));
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = ANY($1)`, [[older.id, newer.id]]);
  });

  it('shows the resident text, the original, images inline, the suggestion and its alternatives', async () => {
    const r = await seedRequest(h.db, {
      authored: 'Big pothole by my driveway',
      text: 'Big pothole by my driveway\n\n> On Monday someone wrote: quoted stuff',
      attachments: [{ filename: 'hole.jpg', contentType: 'image/jpeg', content: Buffer.from([0xff, 0xd8, 0xff]) }],
    });
    const res = await b.get(`/review/${r.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Big pothole by my driveway');
    expect(res.body).toMatch(/<details id="original"[^>]*>[\s\S]*quoted stuff/);
    expect(res.body).toContain(`<img src="/attachments/${r.attachmentIds[0]}"`);
    expect(res.body).toContain('42%');
    expect(res.body).toMatch(/name="choice" value="street_paving" data-key="1"/);
    expect(res.body).toMatch(/name="choice" value="drainage" data-key="2"/);
    expect(res.body).toContain('value="Main Street"');
    expect(res.body).toContain('Routes to <strong id="route-target">Highway</strong>');
  });

  it('a confirm routes to the department, records who decided, and moves on to the next item', async () => {
    const first = await seedRequest(h.db, { createdAt: new Date(Date.now() - 7200_000) });
    const second = await seedRequest(h.db, { createdAt: new Date(Date.now() - 3600_000) });
    await b.get(`/review/${first.id}`);
    const res = await b.post(`/review/${first.id}`, { category: 'pothole', street: 'Main Street', houseNumber: '12', crossStreet: '' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/review/${second.id}?done=${first.id}`);
    expect(await requestRow(first.id)).toMatchObject({ status: 'routed', category: 'pothole', departmentCode: 'highway' });

    const { rows: mail } = await h.db.pool.query(`SELECT kind, to_address FROM outbox WHERE request_id = $1 ORDER BY id`, [first.id]);
    expect(mail).toContainEqual({ kind: 'routed_ticket', to_address: 'highway@danbury.example' });
    const { rows: events } = await h.db.pool.query(`SELECT kind, actor FROM request_events WHERE request_id = $1 AND kind IN ('reclassified', 'status') AND actor <> 'pipeline'`, [first.id]);
    expect(events).toEqual(expect.arrayContaining([{ kind: 'reclassified', actor: 'reviewer@danbury.example' }, { kind: 'status', actor: 'reviewer@danbury.example' }]));
    expect(await h.queues.queue('notify').getJobCounts('waiting', 'prioritized')).toSatisfy((c: Record<string, number>) => (c.waiting ?? 0) + (c.prioritized ?? 0) >= 1);

    const next = await b.get(res.headers.location as string);
    expect(next.body).toContain(first.trackingNumber);
    expect(next.body).toContain('to Highway');
  });

  it('a correction picked from the alternatives changes category and street, and becomes a training example', async () => {
    const r = await seedRequest(h.db, { text: 'The road surface on Padanarm is crumbling everywhere' });
    await b.get(`/review/${r.id}`);
    const res = await b.post(`/review/${r.id}`, { category: 'pothole', choice: 'street_paving', street: 'padanaram road', houseNumber: '', crossStreet: '' });
    expect(res.statusCode).toBe(303);
    const row = await requestRow(r.id);
    expect(row).toMatchObject({ status: 'routed', category: 'street_paving', street: 'Padanaram Road', houseNumber: null, departmentCode: 'highway' });
    expect(row.lat).not.toBeNull();
    const { rows } = await h.db.pool.query('SELECT category, street, created_by AS "createdBy", body FROM training_examples WHERE request_id = $1', [r.id]);
    expect(rows).toEqual([{ category: 'street_paving', street: 'Padanaram Road', createdBy: 'reviewer@danbury.example', body: 'The road surface on Padanarm is crumbling everywhere' }]);
  });

  it('routes a corrected category to its own department', async () => {
    const r = await seedRequest(h.db);
    await b.get(`/review/${r.id}`);
    await b.post(`/review/${r.id}`, { category: 'tree', street: 'Main Street', houseNumber: '12', crossStreet: '' });
    expect(await requestRow(r.id)).toMatchObject({ status: 'routed', category: 'tree', departmentCode: 'forestry' });
    const { rows } = await h.db.pool.query(`SELECT to_address FROM outbox WHERE request_id = $1 AND kind = 'routed_ticket'`, [r.id]);
    expect(rows).toEqual([{ to_address: 'forestry@danbury.example' }]);
  });

  it('refuses a decision on a request someone already decided, and an unknown category', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    await b.get(`/review/${r.id}`);
    const twice = await b.post(`/review/${r.id}`, { category: 'tree' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('not waiting for review');
    const other = await seedRequest(h.db);
    const bad = await b.post(`/review/${other.id}`, { category: 'volcano' });
    expect(bad.statusCode).toBe(400);
    expect((await requestRow(other.id)).status).toBe('needs_review');
  });

  it('answers 404 for a request that does not exist', async () => {
    expect((await b.get('/review/999999')).statusCode).toBe(404);
    expect((await b.get('/review/abc')).statusCode).toBe(404);
  });
});

describe('a street not in the city\'s list', () => {
  it('is shown as the reason, with the nearest known streets offered in place of the name as written', async () => {
    const r = await seedRequest(h.db, { subject: 'Light out', street: 'Mian Street', reviewReasons: ['street_unknown'] });
    const queue = await b.get('/review');
    expect(queue.body).toMatch(/class="reason reason-street_unknown">street not in the city(&#39;|')s list</);
    const res = await b.get(`/review/${r.id}`);
    expect(res.body).toMatch(/“Mian Street” is not in the city(&#39;|')s list of streets/);
    expect(res.body).toMatch(/<button type="button" class="link" data-fill="street" value="Main Street">Main Street<\/button>/);
    expect(res.body).toContain('<datalist id="street-options"><option value="Main Street"></option>');
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = $1`, [r.id]);
  });

  it('offers nothing when no known street is close, and no warning for a known street', async () => {
    const far = await seedRequest(h.db, { street: 'Zzyzx Road', reviewReasons: ['street_unknown'] });
    expect((await b.get(`/review/${far.id}`)).body).toContain('No known street is close to it.');
    const known = await seedRequest(h.db, { street: 'Main Street', reviewReasons: ['low_confidence'] });
    expect((await b.get(`/review/${known.id}`)).body).not.toContain('not in the city');
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = ANY($1)`, [[far.id, known.id]]);
  });
});

describe('adding a street the city\'s list lacks', () => {
  it('from the warning: the name in the street field is added, spelled out, and the warning goes', async () => {
    const r = await seedRequest(h.db, { subject: 'Pothole', street: 'Foxglove Ln', reviewReasons: ['street_unknown'] });
    const screen = await b.get(`/review/${r.id}`);
    expect(screen.body).toContain(`formaction="/review/${r.id}/add-street"`);
    const res = await b.post(`/review/${r.id}/add-street`, { category: 'pothole', street: 'foxglove ln', houseNumber: '12', crossStreet: '' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/review/${r.id}?added=Foxglove%20Lane`);
    const { rows } = await h.db.pool.query('SELECT name, added_by AS "addedBy", request_id AS "requestId" FROM added_streets');
    expect(rows).toEqual([{ name: 'Foxglove Lane', addedBy: 'reviewer@danbury.example', requestId: r.id }]);
    const after = await b.get(res.headers.location as string);
    expect(after.body).toContain('“Foxglove Lane” is now in the city');
    expect(after.body).not.toContain('is not in the city');
    // Nothing was decided: the request still waits for review, and suggestions now offer the street.
    expect(await requestRow(r.id)).toMatchObject({ status: 'needs_review' });
    expect((await b.get('/api/streets?q=foxgl', { accept: 'application/json' })).json().streets).toContain('Foxglove Lane');
    // A link cannot claim a street was added.
    expect((await b.get(`/review/${r.id}?added=Nowhere%20Lane`)).body).not.toContain('Nowhere Lane');
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = $1`, [r.id]);
  });

  it('after a decision with a street the reviewer typed that the list lacks', async () => {
    const r = await seedRequest(h.db, { subject: 'Light out', street: null, reviewReasons: ['no_location'], createdAt: new Date(Date.now() - 9 * 3600_000) });
    const other = await seedRequest(h.db, { subject: 'Next one', createdAt: new Date(Date.now() - 8 * 3600_000) });
    await b.get(`/review/${r.id}`);
    const res = await b.post(`/review/${r.id}`, { category: 'streetlight', street: 'Hemlock Hollow Rd', houseNumber: '', crossStreet: '' });
    expect(res.headers.location).toBe(`/review/${other.id}?done=${r.id}`);
    const next = await b.get(res.headers.location as string);
    expect(next.body).toContain('“Hemlock Hollow Rd” is not in the city');
    expect(next.body).toContain(`action="/review/${r.id}/add-street"`);
    const add = await b.post(`/review/${r.id}/add-street`, { street: 'Hemlock Hollow Rd', back: `/review/${other.id}` });
    expect(add.headers.location).toBe(`/review/${other.id}?added=Hemlock%20Hollow%20Road`);
    // Only a path back into the review queue is followed.
    const away = await b.post(`/review/${r.id}/add-street`, { street: 'Hemlock Hollow Rd', back: 'https://evil.example/' });
    expect(away.headers.location).toBe(`/review/${r.id}?added=Hemlock%20Hollow%20Road`);
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = $1`, [other.id]);
  });

  it('refuses what is not a street name, and needs the form token', async () => {
    const r = await seedRequest(h.db, { street: 'Foxglove Ln', reviewReasons: ['street_unknown'] });
    const bad = await b.post(`/review/${r.id}/add-street`, { street: '12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('does not look like a street name');
    expect((await b.post(`/review/${r.id}/add-street`, { street: 'Birch Knoll Road' }, { csrf: null })).statusCode).toBe(403);
    const { rows } = await h.db.pool.query(`SELECT name FROM added_streets WHERE name = 'Birch Knoll Road'`);
    expect(rows).toEqual([]);
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = $1`, [r.id]);
  });
});

describe('street suggestions', () => {
  it('suggests canonical street names from the gazetteer', async () => {
    const res = await b.get('/api/streets?q=padanar', { accept: 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().streets).toContain('Padanaram Road');
    expect((await b.get('/api/streets?q=', { accept: 'application/json' })).json()).toEqual({ streets: [] });
  });
});
