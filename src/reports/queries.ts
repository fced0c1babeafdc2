// SQL for the reports, over the daily rollups (src/reports/rollup.ts) of requests opened in a period
// of local dates (both ends included) in the city's time zone: a year of a large city's requests is a
// few thousand rollup rows, not millions of requests.
import type { Db } from '../db/pool.ts';
import type { Status } from '../requests/status.ts';

export interface Period {
  /** YYYY-MM-DD, local, inclusive. */
  from: string;
  /** YYYY-MM-DD, local, inclusive. */
  to: string;
  timeZone: string;
}

/** A request counts as resolved when its department fixed it or staff closed it (not a duplicate, not the city's). */
export const RESOLVED: readonly Status[] = ['resolved', 'closed'];

const IN_PERIOD = `s.day BETWEEN $1::date AND $2::date`;

export interface ChannelMonth {
  month: string;
  channel: string;
  contacts: number;
}

export async function contactsByChannelAndMonth(db: Db, p: Period): Promise<ChannelMonth[]> {
  const { rows } = await db.query<ChannelMonth>(
    `SELECT to_char(s.day, 'YYYY-MM') AS month, s.channel, sum(s.opened)::int AS contacts
       FROM request_day_stats s WHERE ${IN_PERIOD}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [p.from, p.to],
  );
  return rows;
}

export interface Counts {
  /** 'category', 'department' or 'all'. */
  grouping: 'category' | 'department' | 'all';
  key: string | null;
  opened: number;
  resolved: number;
  open: number;
  /** Resolved requests that had a target, and of them those resolved by it. */
  withTarget: number;
  onTime: number;
  /** Requests the classifier was unsure of (they went to staff review). */
  sentToReview: number;
  /** Staff review decisions, and those that changed what the classifier said. */
  decisions: number;
  corrected: number;
}

const GROUPING = (category: string, department: string): string =>
  `CASE WHEN grouping(${category}) = 0 THEN 'category' WHEN grouping(${department}) = 0 THEN 'department' ELSE 'all' END AS grouping,
   CASE WHEN grouping(${category}) = 0 THEN ${category} ELSE nullif(${department}, '') END AS key`;

export async function countsByGroup(db: Db, p: Period): Promise<Counts[]> {
  const { rows } = await db.query<Counts>(
    `SELECT ${GROUPING('s.category', 's.department_code')},
            sum(s.opened)::int AS opened, sum(s.resolved)::int AS resolved, sum(s.still_open)::int AS open,
            sum(s.with_target)::int AS "withTarget", sum(s.on_time)::int AS "onTime", sum(s.sent_to_review)::int AS "sentToReview",
            sum(s.decisions)::int AS decisions, sum(s.corrected)::int AS corrected
       FROM request_day_stats s WHERE ${IN_PERIOD}
      GROUP BY GROUPING SETS ((s.category), (s.department_code), ())
      ORDER BY 1, opened DESC, 2`,
    [p.from, p.to],
  );
  // With no rows at all, GROUPING SETS still gives the empty grand total.
  return rows.filter((r) => r.grouping !== 'all' || r.opened !== null);
}

export interface DurationBucket {
  grouping: 'category' | 'department' | 'all';
  key: string | null;
  kind: 'route' | 'resolve';
  bucket: number;
  n: number;
}

export async function durationHistograms(db: Db, p: Period): Promise<DurationBucket[]> {
  const { rows } = await db.query<DurationBucket>(
    `SELECT ${GROUPING('s.category', 's.department_code')}, s.kind, s.bucket, sum(s.n)::int AS n
       FROM request_day_durations s WHERE ${IN_PERIOD}
      GROUP BY GROUPING SETS ((s.category, s.kind, s.bucket), (s.department_code, s.kind, s.bucket), (s.kind, s.bucket))`,
    [p.from, p.to],
  );
  return rows;
}

export async function busiestDays(db: Db, p: Period, limit = 10): Promise<{ day: string; contacts: number }[]> {
  const { rows } = await db.query<{ day: string; contacts: number }>(
    `SELECT to_char(s.day, 'YYYY-MM-DD') AS day, sum(s.opened)::int AS contacts
       FROM request_day_stats s WHERE ${IN_PERIOD}
      GROUP BY s.day ORDER BY contacts DESC, s.day LIMIT $3`,
    [p.from, p.to, limit],
  );
  return rows;
}
