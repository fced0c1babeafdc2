// Runs beside intake: once a minute it sends the day's department digests when their time has come and
// escalates requests that passed their target by the set margin. Everything goes through the outbox
// with a dedupe key, so a restart, a second process or a missed minute never sends anything twice.
import type pg from 'pg';
import type { Config } from '../config/index.ts';
import { withTransaction } from '../db/pool.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { dispatchMail, queueMails } from '../requests/actions.ts';
import type { Enqueue } from '../jobs/queues.ts';
import { FINISHED, STATUSES, type Status } from '../requests/status.ts';
import { addEvent } from '../requests/store.ts';
import type { Routing } from '../routing/rules.ts';
import { instantAt, isoWeekday, localDateOf } from '../targets/calendar.ts';
import type { ServiceTargets } from '../targets/service-targets.ts';
import { refreshReportRollups } from '../reports/rollup.ts';
import { DIGEST_ROWS, digestRows, escalationRow } from './compose.ts';
import { openWorkByDepartment, overdueNotEscalated } from './open-work.ts';
import { getDigestSchedule, type DigestSchedule } from './schedule-store.ts';

export interface AccountabilityDeps {
  pool: pg.Pool;
  config: Config;
  routing: Routing;
  targets: ServiceTargets;
  enqueue: Enqueue;
  log: Logger;
}

/** Work that sits with a department: what its digest lists. */
const WITH_DEPARTMENT: readonly Status[] = ['routed', 'in_progress'];
/** Anything not finished can be late, including what waits for staff. */
const OPEN: readonly Status[] = STATUSES.filter((s) => !FINISHED.includes(s));

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function describeSchedule(s: Pick<DigestSchedule, 'weekdays' | 'sendAt'>): string {
  const days = [...s.weekdays].sort();
  const when = days.join(',') === '1,2,3,4,5' ? 'on weekdays' : days.length === 7 ? 'every day' : `on ${days.map((d) => WEEKDAY_NAMES[d - 1]).join(', ')}`;
  return `${when} at ${s.sendAt}`;
}

/** Whether a digest is due now: a scheduled weekday the city is open, at or after the time of day. */
export function digestDue(s: DigestSchedule, targets: ServiceTargets, now: Date): string | null {
  if (!s.enabled) return null;
  const tz = targets.calendar.timeZone;
  const day = localDateOf(now, tz);
  if (!s.weekdays.includes(isoWeekday(day)) || targets.calendar.isClosed(day)) return null;
  const [h, m] = s.sendAt.split(':').map(Number) as [number, number];
  return now >= instantAt(day, h * 60 + m, tz) ? day : null;
}

/** Queues the day's digests once their time has come; returns the local day it covered, or null. */
export async function sendDigests(deps: AccountabilityDeps, now: Date): Promise<{ day: string | null; queued: number }> {
  const schedule = await getDigestSchedule(deps.pool);
  const day = digestDue(schedule, deps.targets, now);
  if (!day) return { day: null, queued: 0 };
  const work = await openWorkByDepartment(deps.pool, WITH_DEPARTMENT, now, DIGEST_ROWS);
  const dayLabel = new Intl.DateTimeFormat('en-US', { timeZone: deps.targets.calendar.timeZone, weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' }).format(now);
  let queued = 0;
  for (const list of work) {
    const department = deps.routing.departments.get(list.departmentCode);
    if (!department) continue;
    const rows = digestRows(deps, { department, work: list, day, dayLabel, schedule: describeSchedule(schedule), now });
    const mail = await queueMails(deps.pool, rows);
    await dispatchMail(deps.enqueue, mail);
    queued += mail.filter(Boolean).length;
  }
  return { day, queued };
}

export async function sendEscalations(deps: AccountabilityDeps, now: Date): Promise<number> {
  const schedule = await getDigestSchedule(deps.pool);
  if (!schedule.escalationEnabled || !schedule.supervisorEmail) return 0;
  const supervisor = schedule.supervisorEmail;
  let queued = 0;
  for (const w of await overdueNotEscalated(deps.pool, OPEN)) {
    if (!w.dueAt || deps.targets.escalateAt(w.dueAt) > now) continue;
    const due = w.dueAt;
    const name = w.departmentCode ? (deps.routing.departments.get(w.departmentCode)?.name ?? w.departmentCode) : `${deps.config.cityName} 311 staff`;
    const mail = await withTransaction(deps.pool, async (tx) => {
      const rows = await queueMails(tx, [escalationRow(deps, { ...w, dueAt: due }, name, supervisor, now)]);
      if (rows[0]) await addEvent(tx, { requestId: w.id, kind: 'escalated', actor: 'system', details: { to: supervisor, dueAt: due.toISOString() } });
      return rows;
    });
    await dispatchMail(deps.enqueue, mail);
    queued += mail.filter(Boolean).length;
  }
  return queued;
}

export interface Scheduler {
  /** Runs one round now (tests, and the first round at start). */
  tick(now?: Date): Promise<void>;
  stop(): Promise<void>;
}

export function startAccountability(deps: AccountabilityDeps, intervalMs = 60_000): Scheduler {
  let running: Promise<void> | null = null;
  // The outbox's dedupe keys already make a second round harmless; this only spares the queries.
  let digestsDoneFor: string | null = null;
  const tick = (now = new Date()): Promise<void> => {
    running ??= (async () => {
      try {
        let digests = 0;
        if (digestsDoneFor !== localDateOf(now, deps.targets.calendar.timeZone)) {
          const done = await sendDigests(deps, now);
          digests = done.queued;
          if (done.day) digestsDoneFor = done.day;
        }
        const escalations = await sendEscalations(deps, now);
        // Reports read the rollups; keeping them current here means no report page waits on a bulk change.
        await refreshReportRollups(deps.pool, deps.targets.calendar.timeZone);
        if (digests || escalations) deps.log.info({ digests, escalations }, 'accountability mail queued');
      } catch (err) {
        deps.log.warn({ err: describeError(err) }, 'accountability round failed; next round in a minute');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
