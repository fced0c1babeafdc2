// The staff app's side of issue 11 through HTTP on a real database: saved answers, the reply box,
// forwarding a department's reply, and the public status page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTrackingNumber } from '../../src/requests/tracking-number.ts';
import { type Browser, type Harness, seedRequest, startHarness } from './harness.ts';

let h: Harness;
let staff: Browser;

beforeAll(async () => {
  h = await startHarness();
  staff = await h.signedIn('agent@danbury.example');
});
afterAll(async () => {
  await h?.close();
});

const HOSTILE = '<script>alert(1)</script>';

describe('saved answers', () => {
  it('adds, replaces by topic and language, refuses a blank one, and deletes', async () => {
    expect((await staff.post('/answers', { topic: 'Leaf pickup', language: 'en', body: 'First text' })).statusCode).toBe(303);
    expect((await staff.post('/answers', { topic: 'Leaf pickup', language: 'en', body: `Leaf pickup is in November. ${HOSTILE}` })).statusCode).toBe(303);
    expect((await staff.post('/answers', { topic: 'Leaf pickup', language: 'es', body: 'La recolección de hojas es en noviembre.' })).statusCode).toBe(303);
    const { rows } = await h.db.pool.query('SELECT id, topic, language, body, updated_by FROM saved_answers ORDER BY language');
    expect(rows.map((r) => [r.language, r.body])).toEqual([['en', `Leaf pickup is in November. ${HOSTILE}`], ['es', 'La recolección de hojas es en noviembre.']]);
    expect(rows[0].updated_by).toBe('agent@danbury.example');
    const page = await staff.get('/answers');
    expect(page.body).toContain('Leaf pickup');
    expect(page.body).not.toContain(HOSTILE);
    const bad = await staff.post('/answers', { topic: '', language: 'en', body: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('needs a topic and a text');
    expect((await staff.post('/answers', { topic: 'x', language: 'fr', body: 'x' })).statusCode).toBe(400);
    const extra = await h.db.pool.query<{ id: number }>(`INSERT INTO saved_answers (topic, language, body, updated_by) VALUES ('Old', 'pt', 'x', 'a') RETURNING id`);
    expect((await staff.post(`/answers/${extra.rows[0]?.id}/delete`, {})).statusCode).toBe(303);
    expect((await h.db.pool.query('SELECT 1 FROM saved_answers WHERE id = $1', [extra.rows[0]?.id])).rowCount).toBe(0);
  });
});

describe('replying to the resident', () => {
  it('inserts a saved answer into the box, sends once per form, records it in thread and history, and can close', async () => {
    const req = await seedRequest(h.db, { category: 'info_request', status: 'routed', departmentCode: 'cityline', subject: 'leaf pickup?', text: 'When is leaf pickup on Westville Avenue?' });
    await h.db.pool.query('UPDATE requests SET awaiting_answer_since = now() WHERE id = $1', [req.id]);
    const queue = await staff.get('/questions');
    expect(queue.body).toContain(req.trackingNumber);
    expect(queue.body).toContain('When is leaf pickup on Westville Avenue?');

    const { rows: answers } = await h.db.pool.query<{ id: number }>(`SELECT id FROM saved_answers WHERE language = 'en'`);
    const page = await staff.get(`/requests/${req.id}?insert=${answers[0]?.id}`);
    expect(page.body).toContain('Leaf pickup is in November. &lt;script&gt;');
    const formToken = /name="formToken" value="([^"]+)"/.exec(page.body)?.[1] as string;

    const form = { body: 'Leaf pickup on Westville Avenue is the week of November 16.', formToken, close: '1' };
    const first = await staff.post(`/requests/${req.id}/reply`, form);
    expect(first.statusCode, first.body.slice(0, 2000)).toBe(303);
    expect((await staff.post(`/requests/${req.id}/reply`, form)).statusCode).toBe(303);
    const { rows: mail } = await h.db.pool.query(`SELECT o.kind, o.to_address, o.text_body, t.author FROM outbox o JOIN thread_messages t ON t.outbox_id = o.id WHERE o.request_id = $1`, [req.id]);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ kind: 'staff_reply', to_address: 'pat@resident.example', author: 'staff' });
    expect(mail[0].text_body).toContain('the week of November 16.');
    const { rows: state } = await h.db.pool.query('SELECT status, awaiting_answer_since FROM requests WHERE id = $1', [req.id]);
    expect(state[0]).toEqual({ status: 'closed', awaiting_answer_since: null });
    const { rows: events } = await h.db.pool.query(`SELECT kind, note, actor FROM request_events WHERE request_id = $1 AND kind IN ('staff_reply', 'status') ORDER BY id DESC LIMIT 2`, [req.id]);
    expect(events.map((e) => e.kind)).toEqual(['status', 'staff_reply']);
    expect(events[1].actor).toBe('agent@danbury.example');
    expect((await staff.get('/questions')).body).not.toContain(req.trackingNumber);
  });

  it('refuses an empty reply, keeping the page', async () => {
    const req = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    const res = await staff.post(`/requests/${req.id}/reply`, { body: '   ', formToken: 'abcdef0123456789' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Write a message');
  });
});

describe("a department's reply without a status line", () => {
  it('is listed as needing attention and forwarded to the resident with one click, once', async () => {
    const req = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway', category: 'pothole' });
    const { rows } = await h.db.pool.query<{ id: number }>(
      `INSERT INTO inbound_messages (source, source_ref, dedupe_key, raw, raw_size, state, kind, message_id, from_address, subject, text_body, authored_text, request_id)
       VALUES ('drop', $1, $1, '\\x00', 1, 'done', 'department_reply', $1, 'highway@danbury.example', 'RE: ticket', 'Crew comes Monday.', 'Crew comes Monday.', $2) RETURNING id`,
      [`dept-${req.id}@danbury.example`, req.id],
    );
    const inboundId = rows[0]?.id as number;
    await h.db.pool.query(`INSERT INTO thread_messages (request_id, direction, author, inbound_message_id) VALUES ($1, 'in', 'department', $2)`, [req.id, inboundId]);
    await h.db.pool.query(`INSERT INTO department_replies (inbound_message_id, request_id) VALUES ($1, $2)`, [inboundId, req.id]);
    expect((await staff.get('/questions')).body).toContain('Crew comes Monday.');
    expect((await staff.get(`/requests/${req.id}`)).body).toContain('Forward to the resident');

    expect((await staff.post(`/department-replies/${inboundId}`, { decision: 'forward' })).statusCode).toBe(303);
    expect((await staff.post(`/department-replies/${inboundId}`, { decision: 'forward' })).statusCode).toBe(409);
    const { rows: mail } = await h.db.pool.query(`SELECT kind, to_address, text_body FROM outbox WHERE request_id = $1`, [req.id]);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ kind: 'department_note', to_address: 'pat@resident.example' });
    expect(mail[0].text_body).toContain('Highway wrote:\n\nCrew comes Monday.');
    expect((await staff.get(`/requests/${req.id}`)).body).toContain('Forwarded to the resident.');
  });
});

describe('the public status page', () => {
  it('shows status and history without a session and nothing personal; an unknown number is a 404', async () => {
    const seeded = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway', subject: 'Hole outside my house at 12 Main Street', text: 'Pat Resident here, call me' });
    // Seeds carry made-up tracking numbers; the page reads only real ones (with their check character).
    const trackingNumber = formatTrackingNumber('DB', 900_000 + seeded.id);
    await h.db.pool.query('UPDATE requests SET tracking_number = $2 WHERE id = $1', [seeded.id, trackingNumber]);
    const visitor = h.browser();
    const res = await visitor.get(`/status/${trackingNumber.toLowerCase()}`, { 'accept-language': 'pt-BR,pt;q=0.9' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(trackingNumber);
    expect(res.body).toContain('Situação da solicitação');
    for (const personal of ['pat@resident.example', 'Pat Resident', 'Main Street', 'Hole outside']) expect(res.body).not.toContain(personal);
    expect((await visitor.get('/status/DB-ZZZZZ')).statusCode).toBe(404);
    expect((await visitor.get('/status?n=nothing')).body).toContain('We found no request');
  });
});
