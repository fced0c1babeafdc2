// Working a request from its page: the status form that starts on no move, re-routing, internal notes,
// assignment with "my requests" and "unassigned", "someone else is on it", and read-only accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTrackingNumber } from '../../src/requests/tracking-number.ts';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let agent: Browser;

beforeAll(async () => {
  h = await startHarness();
  agent = await h.signedIn('agent@danbury.example');
});
afterAll(async () => {
  await h?.close();
});

const statusOf = async (id: number) => (await h.db.pool.query('SELECT status, department_code, category, assigned_to FROM requests WHERE id = $1', [id])).rows[0];
const outboxOf = async (id: number) =>
  (await h.db.pool.query<{ kind: string; to_address: string; subject: string; text_body: string; references_ids: string[] }>(
    'SELECT kind, to_address, subject, text_body, references_ids FROM outbox WHERE request_id = $1 ORDER BY id',
    [id],
  )).rows;

describe('the status form', () => {
  it('starts on no move: pressing "Change status" alone leaves a routed request routed, and says nothing was changed', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const page = await agent.get(`/requests/${r.id}`);
    // What a browser sends when the button is pressed without touching the select: its selected option.
    const select = /<select name="to"[^>]*>([\s\S]*?)<\/select>/.exec(page.body)?.[1] ?? '';
    const selected = /<option value="([^"]*)" selected>/.exec(select)?.[1];
    expect(selected).toBe('');
    const res = await agent.post(`/requests/${r.id}/status`, { to: selected ?? '', note: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose the new status first: nothing was changed.');
    expect(await statusOf(r.id)).toMatchObject({ status: 'routed', department_code: 'highway' });
    expect(await outboxOf(r.id)).toEqual([]);
  });

  it('confirms what was done after a move', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    await agent.get(`/requests/${r.id}`);
    const res = await agent.post(`/requests/${r.id}/status`, { to: 'in_progress', note: '' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/requests/${r.id}?done=status`);
    const page = await agent.get(res.headers.location as string);
    expect(page.body).toContain('Status changed from routed to in progress. The resident is being emailed.');
  });
});

describe('re-routing', () => {
  it('moves a routed request to the department of its new category: a ticket for the new one, a withdrawal for the old one in its thread', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway', category: 'pothole' });
    // The ticket Highway already has, so the withdrawal can thread under it.
    await h.db.pool.query(
      `INSERT INTO outbox (dedupe_key, request_id, kind, to_address, subject, message_id, text_body, state, sent_at)
       VALUES ($1, $2, 'routed_ticket', 'highway@danbury.example', 'ticket', $3, 'Please fix', 'sent', now())`,
      [`ticket-${r.id}-1`, r.id, `<ticket-${r.id}@cityline.example>`],
    );
    await h.db.pool.query(`INSERT INTO thread_messages (request_id, direction, author, outbox_id) SELECT $1, 'out', 'system', id FROM outbox WHERE dedupe_key = $2`, [r.id, `ticket-${r.id}-1`]);
    const forestry = h.routing.departmentFor('tree');
    expect(forestry.code).not.toBe('highway');
    await agent.get(`/requests/${r.id}`);
    const res = await agent.post(`/requests/${r.id}/reroute`, { category: 'tree', street: 'Main Street', house_number: '12', cross_street: '', department: '', reason: 'It is a fallen tree' });
    expect(res.statusCode).toBe(303);
    expect(await statusOf(r.id)).toMatchObject({ status: 'routed', department_code: forestry.code, category: 'tree' });
    const mail = (await outboxOf(r.id)).slice(1);
    expect(mail.map((m) => m.kind)).toEqual(['routed_ticket', 'ticket_withdrawn']);
    expect(mail[0]?.to_address).toBe(forestry.emails.join(', '));
    expect(mail[0]?.references_ids).toEqual([]);
    expect(mail[1]).toMatchObject({ to_address: 'highway@danbury.example', references_ids: [`<ticket-${r.id}@cityline.example>`] });
    expect(mail[1]?.text_body).toContain(`moved from Highway to ${forestry.name}`);
    expect(mail[1]?.text_body).toContain('It is a fallen tree');
    const page = await agent.get(res.headers.location as string);
    expect(page.body).toContain(`Re-routed from Highway to ${forestry.name}`);
    // Re-routed again: a second ticket, a second withdrawal, nothing swallowed by the dedupe keys.
    await agent.post(`/requests/${r.id}/reroute`, { category: 'tree', street: 'Main Street', house_number: '12', department: 'highway' });
    expect((await outboxOf(r.id)).map((m) => m.kind)).toEqual(['routed_ticket', 'routed_ticket', 'ticket_withdrawn', 'routed_ticket', 'ticket_withdrawn']);
    expect(await statusOf(r.id)).toMatchObject({ department_code: 'highway' });
  });

  it('routes a request still waiting for review to the chosen department, and refuses an unknown department', async () => {
    const r = await seedRequest(h.db, { status: 'needs_review' });
    await agent.get(`/requests/${r.id}`);
    const bad = await agent.post(`/requests/${r.id}/reroute`, { category: 'pothole', department: 'nowhere' });
    expect(bad.statusCode).toBe(409);
    expect(bad.body).toContain('there is no department');
    expect((await statusOf(r.id)).status).toBe('needs_review');
    const res = await agent.post(`/requests/${r.id}/reroute`, { category: 'pothole', street: 'Main Street', house_number: '12' });
    expect(res.statusCode).toBe(303);
    expect(await statusOf(r.id)).toMatchObject({ status: 'routed', department_code: 'highway' });
    expect((await outboxOf(r.id)).map((m) => m.kind)).toEqual(['routed_ticket', 'status_update']);
  });
});

describe('internal notes', () => {
  it('are shown to staff and never mailed to anyone', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    await agent.get(`/requests/${r.id}`);
    const res = await agent.post(`/requests/${r.id}/note`, { text: 'Resident called back: the hole is <b>getting bigger</b>' });
    expect(res.statusCode).toBe(303);
    const page = await agent.get(res.headers.location as string);
    expect(page.body).toContain('Resident called back: the hole is &lt;b&gt;getting bigger&lt;/b&gt;');
    expect(page.body).toContain('Internal note added');
    expect(await outboxOf(r.id)).toEqual([]);
    expect((await agent.post(`/requests/${r.id}/note`, { text: '  ' })).statusCode).toBe(400);
  });
});

describe('assignment', () => {
  it('gives a request to me, lists it under "my requests" and not "unassigned", and takes it back', async () => {
    const mine = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const other = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    await agent.get(`/requests/${mine.id}`);
    expect((await agent.post(`/requests/${mine.id}/assign`, { assignee: 'me' })).statusCode).toBe(303);
    let page = await agent.get(`/requests/${mine.id}?done=assign`);
    expect(page.body).toContain('Assigned to agent@danbury.example.');
    const myList = (await agent.get('/requests?assigned=me')).body;
    expect(myList).toContain(mine.trackingNumber);
    expect(myList).not.toContain(other.trackingNumber);
    const unassigned = (await agent.get('/requests?assigned=none')).body;
    expect(unassigned).toContain(other.trackingNumber);
    expect(unassigned).not.toContain(mine.trackingNumber);
    await agent.post(`/requests/${mine.id}/assign`, { assignee: '' });
    expect((await statusOf(mine.id)).assigned_to).toBeNull();
    page = await agent.get(`/requests/${mine.id}`);
    expect(page.body).toContain('unassigned');
    expect((await agent.post(`/requests/${mine.id}/assign`, { assignee: '999999' })).statusCode).toBe(400);
  });
});

describe('two agents on one request', () => {
  it('the second one sees who else has it open', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const first = await agent.get(`/requests/${r.id}`);
    expect(first.body).not.toContain('Someone else is on it');
    const second = await h.signedIn('second@danbury.example');
    const page = await second.get(`/requests/${r.id}`);
    expect(page.body).toContain('Someone else is on it');
    expect(page.body).toContain('agent@danbury.example');
  });
});

describe('read-only accounts', () => {
  it('see a request but cannot change it', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const viewer = await h.signedIn('auditor@danbury.example');
    await h.db.pool.query(`UPDATE staff_users SET role = 'read_only' WHERE email = 'auditor@danbury.example'`);
    const page = await viewer.get(`/requests/${r.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your account is read-only');
    expect(page.body).not.toContain('action="/requests/' + r.id + '/status"');
    const res = await viewer.post(`/requests/${r.id}/status`, { to: 'resolved' });
    expect(res.statusCode).toBe(403);
    expect((await statusOf(r.id)).status).toBe('routed');
    expect((await viewer.post('/signout', {})).statusCode).toBe(303);
  });
});

describe('forgiving search', () => {
  it('finds a tracking number typed in lower case, with a space, or with O for 0; and says to check the last character', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const number = formatTrackingNumber('DB', 0x1000 + r.id);
    await h.db.pool.query('UPDATE requests SET tracking_number = $2 WHERE id = $1', [r.id, number]);
    const body = number.slice(3);
    for (const typed of [number.toLowerCase(), `DB ${body}`, `DB-${body.replace(/0/g, 'O')}`, `db${body.toLowerCase()}`]) {
      const res = await agent.get(`/requests?q=${encodeURIComponent(typed)}`);
      expect(res.body, typed).toContain(`>${number}</a>`);
    }
    const wrongLast = `DB-${body.slice(0, -1)}${body.endsWith('2') ? '3' : '2'}`;
    const res = await agent.get(`/requests?q=${encodeURIComponent(wrongLast)}`);
    expect(res.body).toContain('check the last character');
  });
});

describe('search results', () => {
  it('match the resident\'s own words, sort by any column, and download as CSV with the same filters', async () => {
    const older = await seedRequest(h.db, { text: 'A raccoon has been lying dead by the curb for days', category: 'dead_animal', createdAt: new Date('2026-03-01T15:00:00Z') });
    const newer = await seedRequest(h.db, { text: 'Another dead raccoon, near the school', category: 'dead_animal', createdAt: new Date('2026-03-05T15:00:00Z') });
    await seedRequest(h.db, { text: 'Pothole again' });
    let res = await agent.get('/requests?q=raccoon+dead');
    expect(res.body).toContain(older.trackingNumber);
    expect(res.body).toContain(newer.trackingNumber);
    expect(res.body).not.toContain('Pothole again');
    expect(res.body.indexOf(newer.trackingNumber)).toBeLessThan(res.body.indexOf(older.trackingNumber));
    expect(res.body).toContain('<th>Age</th>');
    res = await agent.get('/requests?q=raccoon+dead&sort=received&dir=asc');
    expect(res.body.indexOf(older.trackingNumber)).toBeLessThan(res.body.indexOf(newer.trackingNumber));
    expect(res.body).toContain('aria-sort="ascending"');

    const csv = await agent.get('/requests.csv?q=raccoon+dead&sort=received&dir=asc');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('tracking_number,received,age_days,due,status,category,house_number,street,cross_street,department,resident_name,resident_email,subject,channel');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${older.trackingNumber},2026-03-01T15:00:00.000Z,\\d+,,needs_review,dead_animal,12,Main Street,`));
    expect(lines[2]).toContain(newer.trackingNumber);
  });
});
