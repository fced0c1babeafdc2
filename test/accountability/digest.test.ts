// Daily digests and escalations on real PostgreSQL: the right requests, once per day and per request,
// whatever restarts or repeated rounds happen.
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule, digestDue, sendDigests, sendEscalations, startAccountability, type AccountabilityDeps } from '../../src/accountability/scheduler.ts';
import { getDigestSchedule, saveDigestSchedule } from '../../src/accountability/schedule-store.ts';
import { loadConfig, PROJECT_ROOT } from '../../src/config/index.ts';
import type { Payloads } from '../../src/jobs/catalog.ts';
import { loadRouting, syncRouting } from '../../src/routing/rules.ts';
import { loadServiceTargets } from '../../src/targets/service-targets.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
let deps: AccountabilityDeps;
const queued: Payloads['notify'][] = [];

// Wednesday 2 Dec 2026, 07:30 in Danbury (EST), half an hour after the default 07:00.
const MORNING = new Date('2026-12-02T12:30:00Z');

async function seed(tracking: string, category: string, dept: string | null, status: string, createdAt: string, dueAt: string | null): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO requests (tracking_number, status, category, confidence, department_code, street, house_number, created_at, due_at)
     VALUES ($1, $2, $3, 0.9, $4, 'Main Street', '12', $5, $6) RETURNING id`,
    [tracking, status, category, dept, createdAt, dueAt],
  );
  return rows[0]!.id;
}

let lateId: number;

beforeAll(async () => {
  db = await createTestDb();
  const config = loadConfig({ DATABASE_URL: db.url, CITYLINE_REPLY_SECRET: 'digest-test-secret-0123456789' });
  const routing = await loadRouting(path.join(PROJECT_ROOT, 'config', 'routing.json'));
  await syncRouting(db.pool, routing);
  deps = {
    pool: db.pool,
    config,
    routing,
    targets: await loadServiceTargets(path.join(PROJECT_ROOT, 'config', 'service-targets.json')),
    enqueue: async (_stage, payload) => {
      queued.push(payload as Payloads['notify']);
    },
    log: pino({ level: 'silent' }),
  };
  // Due a week ago: late by 5 business days, past the 2-day escalation margin.
  lateId = await seed('DB-LATE1', 'pothole', 'highway', 'routed', '2026-11-20T15:00:00Z', '2026-11-24T15:00:00Z');
  // Due yesterday: late, but within the margin.
  await seed('DB-LATE2', 'pothole', 'highway', 'in_progress', '2026-11-27T15:00:00Z', '2026-12-01T15:00:00Z');
  await seed('DB-FRESH', 'pothole', 'highway', 'routed', '2026-12-01T15:00:00Z', '2026-12-03T15:00:00Z');
  await seed('DB-LIGHT', 'streetlight', 'traffic', 'routed', '2026-11-30T15:00:00Z', '2026-12-14T15:00:00Z');
  await seed('DB-DONE1', 'pothole', 'highway', 'resolved', '2026-11-20T15:00:00Z', '2026-11-24T15:00:00Z');
  await db.pool.query(`UPDATE requests SET closed_at = now() WHERE tracking_number = 'DB-DONE1'`);
  await seed('DB-REVW1', 'graffiti', null, 'needs_review', '2026-10-01T15:00:00Z', '2026-10-29T15:00:00Z');
});

afterAll(async () => {
  await db?.drop();
});

const outbox = async (kind: string) =>
  (await db.pool.query<{ to: string; subject: string; text: string; key: string; request: number | null }>(
    `SELECT to_address AS to, subject, text_body AS text, dedupe_key AS key, request_id AS request FROM outbox WHERE kind = $1 ORDER BY id`,
    [kind],
  )).rows;

describe('department digests', () => {
  it('wait for the scheduled time, on a scheduled working day', async () => {
    const s = await getDigestSchedule(db.pool);
    expect(describeSchedule(s)).toBe('on weekdays at 07:00');
    expect(digestDue(s, deps.targets, new Date('2026-12-02T11:59:00Z'))).toBeNull();
    expect(digestDue(s, deps.targets, MORNING)).toBe('2026-12-02');
    // Saturday, and Thanksgiving: no digest.
    expect(digestDue(s, deps.targets, new Date('2026-12-05T13:00:00Z'))).toBeNull();
    expect(digestDue(s, deps.targets, new Date('2026-11-26T13:00:00Z'))).toBeNull();
    expect((await sendDigests(deps, new Date('2026-12-02T11:59:00Z'))).queued).toBe(0);
  });

  it('send each department one mail listing its open and overdue requests', async () => {
    const done = await sendDigests(deps, MORNING);
    expect(done).toEqual({ day: '2026-12-02', queued: 2 });
    const mails = await outbox('department_digest');
    expect(mails.map((m) => m.to).sort()).toEqual(['highway@danbury.example', 'traffic@danbury.example']);
    const highway = mails.find((m) => m.to === 'highway@danbury.example')!;
    expect(highway.subject).toBe('[Danbury 311] Highway: 3 open, 2 overdue on Wed, Dec 2, 2026');
    expect(highway.key).toBe('digest-highway-2026-12-02-highway@danbury.example');
    expect(highway.text).toMatch(/OVERDUE[\s\S]*DB-LATE1[\s\S]*DB-LATE2[\s\S]*WITHIN TARGET[\s\S]*DB-FRESH/);
    // Due Tue 24 Nov 10:00; by Wed 2 Dec 07:30: 6.5 h + 8 h (25th), Thanksgiving and the day after off,
    // 8 h each on the 30th and the 1st = 30.5 business hours = 3.8 business days.
    expect(highway.text).toContain('DB-LATE1  Pothole  11 d  Nov 24, 2026, 10:00 AM EST  3.8 business days  12 Main Street');
    expect(highway.text).toContain('DB-LATE2  Pothole  4 d  Dec 1, 2026, 10:00 AM EST  22 h  12 Main Street');
    expect(highway.text).not.toContain('DB-DONE1');
    expect(highway.text).not.toContain('DB-LIGHT');
    expect(queued).toHaveLength(2);
  });

  it('are never queued twice for a day, after a restart or another round', async () => {
    expect((await sendDigests(deps, new Date('2026-12-02T15:00:00Z'))).queued).toBe(0);
    const scheduler = startAccountability(deps, 3_600_000);
    await scheduler.tick(new Date('2026-12-02T16:00:00Z'));
    await scheduler.stop();
    expect(await outbox('department_digest')).toHaveLength(2);
    // The next working day has its own.
    expect((await sendDigests(deps, new Date('2026-12-03T12:05:00Z'))).queued).toBe(2);
  });

  it('follow the schedule staff set', async () => {
    const s = await getDigestSchedule(db.pool);
    await saveDigestSchedule(db.pool, { ...s, weekdays: [1, 3, 5], sendAt: '09:30', updatedBy: 'chief@danbury.example' });
    const saved = await getDigestSchedule(db.pool);
    expect(describeSchedule(saved)).toBe('on Monday, Wednesday, Friday at 09:30');
    expect(saved.updatedBy).toBe('chief@danbury.example');
    expect(digestDue(saved, deps.targets, new Date('2026-12-04T14:00:00Z'))).toBeNull();
    expect(digestDue(saved, deps.targets, new Date('2026-12-04T14:31:00Z'))).toBe('2026-12-04');
    expect(digestDue(saved, deps.targets, new Date('2026-12-08T15:00:00Z'))).toBeNull();
    await saveDigestSchedule(db.pool, { ...saved, enabled: false });
    expect(digestDue(await getDigestSchedule(db.pool), deps.targets, new Date('2026-12-04T15:00:00Z'))).toBeNull();
  });
});

describe('escalations', () => {
  it('go nowhere until a supervisor address is set', async () => {
    expect(await sendEscalations(deps, MORNING)).toBe(0);
  });

  it('go once to the supervisor for each request past its target by the margin, and are recorded on it', async () => {
    const s = await getDigestSchedule(db.pool);
    await saveDigestSchedule(db.pool, { ...s, supervisorEmail: 'supervisor@danbury.example', updatedBy: 'admin@danbury.example' });
    expect(await sendEscalations(deps, MORNING)).toBe(2);
    const mails = await outbox('escalation');
    expect(mails.map((m) => m.subject)).toEqual([
      '[DB-REVW1] Overdue 20.7 business days: Graffiti at 12 Main Street (Danbury 311 staff)',
      '[DB-LATE1] Overdue 3.8 business days: Pothole at 12 Main Street (Highway)',
    ]);
    expect(mails.every((m) => m.to === 'supervisor@danbury.example')).toBe(true);
    const events = await db.pool.query(`SELECT details FROM request_events WHERE request_id = $1 AND kind = 'escalated'`, [lateId]);
    expect(events.rows).toHaveLength(1);
    // DB-LATE2 reaches its margin at 10:00 on the 3rd (15:00Z): a minute before, nothing new.
    expect(await sendEscalations(deps, new Date('2026-12-03T14:59:00Z'))).toBe(0);
    expect(await outbox('escalation')).toHaveLength(2);
  });

  it('reach the second late request once it too passes the margin', async () => {
    expect(await sendEscalations(deps, new Date('2026-12-03T15:01:00Z'))).toBe(1);
    expect((await outbox('escalation')).at(-1)?.subject).toMatch(/^\[DB-LATE2\] Overdue 2\.0 business days/);
  });
});
