// The one owner of request changes, on a real PostgreSQL: each move is checked against status.ts and
// leaves the row, its events and its mail consistent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classify/index.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { storeRawMessage } from '../../src/intake/store.ts';
import type { Enqueue } from '../../src/jobs/queues.ts';
import { changeStatus, openFromMessage, unlinkDuplicate } from '../../src/requests/actions.ts';
import { FINISHED, OPEN, sqlList, STATUSES } from '../../src/requests/status.ts';
import { loadRouting, syncRouting, type Routing } from '../../src/routing/rules.ts';
import { loadServiceTargets, type ServiceTargets } from '../../src/targets/service-targets.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { seedRequest } from '../web/harness.ts';

let db: TestDb;
let config: Config;
let routing: Routing;
let classifier: Classifier;
let targets: ServiceTargets;
const queued: { stage: string; payload: unknown }[] = [];
// These tests are about the database; what would go to Redis is recorded to check it was asked for.
const enqueue: Enqueue = async (stage, payload) => {
  queued.push({ stage, payload });
};
const deps = () => ({ pool: db.pool, config, routing, enqueue });

beforeAll(async () => {
  db = await createTestDb();
  config = loadConfig({ DATABASE_URL: db.url, CITYLINE_REPLY_SECRET: 'actions-test-secret-0123456789' });
  routing = await loadRouting(config.routingFile);
  await syncRouting(db.pool, routing);
  classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
  targets = await loadServiceTargets(config.targetsFile);
});
afterAll(async () => {
  await db?.drop();
});

async function row(id: number) {
  const { rows } = await db.pool.query<{ status: string; duplicate_of: number | null; closed_at: Date | null; department_code: string | null; review_reasons: string[] }>(
    'SELECT status, duplicate_of, closed_at, department_code, review_reasons FROM requests WHERE id = $1',
    [id],
  );
  return rows[0];
}

describe('status sets', () => {
  it('open and finished split every status, and render as SQL lists', () => {
    expect([...OPEN, ...FINISHED].sort()).toEqual([...STATUSES].sort());
    expect(OPEN.filter((s) => FINISHED.includes(s))).toEqual([]);
    expect(sqlList(['routed', 'closed'])).toBe("'routed', 'closed'");
  });
});

describe('request actions', () => {
  it('a request opened as a duplicate is finished at once: closed_at set, its link and notice recorded', async () => {
    const original = await seedRequest(db, { status: 'routed', departmentCode: 'highway', confidence: 0.99 });
    const raw = Buffer.from(
      'From: Sam Neighbour <sam@resident.example>\r\nTo: cityline311@danbury.example\r\nSubject: Pothole\r\n' +
        'Message-ID: <dup-born@resident.example>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\n' +
        'There is a deep pothole in front of 12 Main Street, please fix it.\r\n',
    );
    const stored = await storeRawMessage(db.pool, { raw, source: 'drop', maxRawBytes: 1_000_000 });
    // What the parse stage leaves for classify: a new request, parsed.
    await db.pool.query(
      `UPDATE inbound_messages SET state = 'parsed', kind = 'new_request', from_address = 'sam@resident.example', subject = 'Pothole',
              text_body = 'There is a deep pothole in front of 12 Main Street, please fix it.', message_id = 'dup-born@resident.example' WHERE id = $1`,
      [stored.id],
    );
    const req = await openFromMessage({ ...deps(), classifier, targets }, stored.id);
    expect(req?.status).toBe('duplicate');
    // Its service target runs from when the message arrived, in business time.
    const { rows: arrived } = await db.pool.query<{ at: Date }>('SELECT received_at AS at FROM inbound_messages WHERE id = $1', [stored.id]);
    expect(req?.dueAt).toEqual(targets.dueAt('pothole', arrived[0]!.at));
    expect(req?.channel).toBe('email');
    const r = await row(req!.id);
    expect(r).toMatchObject({ status: 'duplicate', duplicate_of: original.id });
    expect(r?.closed_at).toBeInstanceOf(Date);
    const { rows: kinds } = await db.pool.query('SELECT kind FROM outbox WHERE request_id = $1', [req!.id]);
    expect(kinds).toEqual([{ kind: 'duplicate_notice' }]);
    // Opening it again is a no-op: one message, one request.
    expect(await openFromMessage({ ...deps(), classifier, targets }, stored.id)).toBeNull();
  });

  it('a duplicate moved to routed loses its duplicate link and gets its department', async () => {
    const original = await seedRequest(db, { status: 'routed', departmentCode: 'highway' });
    const dup = await seedRequest(db, { status: 'duplicate', duplicateOf: original.id });
    const moved = await changeStatus(deps(), { requestId: dup.id, to: 'routed', note: null, actor: 'staff:a@danbury.example' });
    expect(moved.duplicateOf).toBeNull();
    expect(await row(dup.id)).toMatchObject({ status: 'routed', duplicate_of: null, closed_at: null, department_code: 'highway' });
    const { rows: events } = await db.pool.query(
      `SELECT from_status, to_status, details->>'department' AS dept FROM request_events WHERE request_id = $1 AND kind = 'status' ORDER BY id DESC LIMIT 1`,
      [dup.id],
    );
    expect(events[0]).toEqual({ from_status: 'duplicate', to_status: 'routed', dept: 'highway' });
    const { rows: mail } = await db.pool.query('SELECT kind FROM outbox WHERE request_id = $1 ORDER BY id', [dup.id]);
    expect(mail.map((m) => m.kind)).toEqual(['routed_ticket', 'status_update']);
    expect(queued.filter((q) => q.stage === 'notify').length).toBeGreaterThanOrEqual(2);
  });

  it('unlinking checks the move against status.ts: a resolved request still carrying a link is refused and untouched', async () => {
    const original = await seedRequest(db, { status: 'routed', departmentCode: 'highway' });
    const stale = await seedRequest(db, { status: 'resolved', duplicateOf: original.id });
    await expect(unlinkDuplicate(deps(), { requestId: stale.id, actor: 'staff:a@danbury.example' })).rejects.toMatchObject({ code: 'BAD_TRANSITION' });
    expect(await row(stale.id)).toMatchObject({ status: 'resolved', duplicate_of: original.id });
  });

  it('unlinking a duplicate puts it in review once, with the reason recorded once', async () => {
    const original = await seedRequest(db, { status: 'routed', departmentCode: 'highway' });
    const dup = await seedRequest(db, { status: 'duplicate', duplicateOf: original.id, reviewReasons: ['unlinked_duplicate'] });
    await unlinkDuplicate(deps(), { requestId: dup.id, actor: 'staff:a@danbury.example' });
    expect(await row(dup.id)).toMatchObject({ status: 'needs_review', duplicate_of: null, closed_at: null, review_reasons: ['unlinked_duplicate'] });
  });

  it('refuses a move status.ts does not allow, and writes nothing', async () => {
    const req = await seedRequest(db, { status: 'received' });
    await expect(changeStatus(deps(), { requestId: req.id, to: 'in_progress', note: null, actor: 'staff:a@danbury.example' })).rejects.toMatchObject({ code: 'BAD_TRANSITION' });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM request_events WHERE request_id = $1 AND kind = 'status'`, [req.id]);
    expect(rows[0]).toEqual({ n: 1 });
  });
});
