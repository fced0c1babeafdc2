// Logging a phone call, walk-in or letter at /requests/new: suggested category before saving, routed at once,
// confirmed by email when there is an address, the channel recorded, and a resent form opening one request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let agent: Browser;

beforeAll(async () => {
  h = await startHarness();
  agent = await h.signedIn('desk@danbury.example');
});
afterAll(async () => {
  await h?.close();
});

const call = {
  channel: 'phone',
  description: 'There is a big pothole in the road, my tire nearly blew out.',
  subject: 'Pothole',
  house_number: '12',
  street: 'Main Street',
  cross_street: '',
  name: 'Rosa Caller',
  email: 'rosa@resident.example',
  phone: '(203) 555-0142',
};

describe('logging a call', () => {
  it('shows the suggested category before saving, then routes it, confirms by email and shows the tracking number to read out', async () => {
    const form = await agent.get('/requests/new');
    expect(form.statusCode).toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] as string;
    const preview = await agent.post('/requests/new', { ...call, token, step: 'suggest', category: '' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toMatch(/Suggested category: <strong>pothole<\/strong>/);
    expect(preview.body).toMatch(/<option value="pothole" selected>/);
    expect(await h.db.pool.query('SELECT 1 FROM requests')).toHaveProperty('rowCount', 0);

    const saved = await agent.post('/requests/new', { ...call, token, step: 'save', category: 'pothole' });
    expect(saved.statusCode).toBe(303);
    const page = await agent.get(saved.headers.location as string);
    const { rows } = await h.db.pool.query(
      `SELECT r.id, r.tracking_number, r.status, r.channel, r.department_code, r.street, r.house_number, r.resident_email, r.resident_name, i.headers->>'x-cityline-resident-phone' AS phone
         FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id`,
    );
    expect(rows).toHaveLength(1);
    const r = rows[0];
    expect(r).toMatchObject({ status: 'routed', channel: 'phone', department_code: 'highway', street: 'Main Street', house_number: '12', resident_email: 'rosa@resident.example', resident_name: 'Rosa Caller', phone: '(203) 555-0142' });
    expect(page.body).toContain(`<strong class="big-number" id="read-out">${r.tracking_number}</strong>`);
    expect(page.body).toContain('by phone');
    expect(page.body).toContain('(203) 555-0142');
    const mail = (await h.db.pool.query('SELECT kind, to_address FROM outbox WHERE request_id = $1 ORDER BY id', [r.id])).rows;
    expect(mail).toEqual([
      { kind: 'confirmation', to_address: 'rosa@resident.example' },
      { kind: 'routed_ticket', to_address: 'highway@danbury.example' },
    ]);

    // The same form sent again (a double click, a reload) opens nothing new.
    const again = await agent.post('/requests/new', { ...call, token, step: 'save', category: 'pothole' });
    expect(again.headers.location).toBe(saved.headers.location);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM requests')).rows[0].n).toBe(1);
  });

  it('logs a walk-in without an email (no confirmation), in the category the agent chose over the suggestion', async () => {
    const saved = await agent.post('/requests/new', { channel: 'walk_in', description: 'The big oak on Padanaram Road lost a limb onto the sidewalk', street: 'Padanaram Road', step: 'save', category: 'tree' });
    expect(saved.statusCode).toBe(303);
    const id = Number(/\/requests\/(\d+)/.exec(saved.headers.location as string)?.[1]);
    const { rows } = await h.db.pool.query('SELECT status, channel, category, resident_email FROM requests WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ status: 'routed', channel: 'walk_in', category: 'tree', resident_email: null });
    expect((await h.db.pool.query('SELECT kind FROM outbox WHERE request_id = $1', [id])).rows).toEqual([{ kind: 'routed_ticket' }]);
    const list = await agent.get('/requests');
    expect(list.body).toContain('walk-in');
  });

  it('refuses an entry without a description or with a broken email, and keeps what was typed', async () => {
    const res = await agent.post('/requests/new', { channel: 'letter', description: '', email: 'rosa at home', name: 'Rosa', step: 'save', category: 'pothole' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Type what the resident says');
    expect(res.body).toContain('is not an email address');
    expect(res.body).toContain('value="Rosa"');
    expect(res.body).toMatch(/value="letter" checked/);
  });
});
