// SQL for the reports: every figure over requests opened in a period of local dates (both ends
// included), in the city's time zone. One scan per table grouped several ways, so a year of a large
// city's requests stays interactive.
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

const IN_PERIOD = `r.created_at >= ($1::date)::timestamp AT TIME ZONE $3 AND r.created_at < ($2::date + 1)::timestamp AT TIME ZONE $3`;

export interface ChannelMonth {
  month: string;
  channel: string;
  contacts: number;
}

export async function contactsByChannelAndMonth(db: Db, p: Period): Promise<ChannelMonth[]> {
  const { rows } = await db.query<ChannelMonth>(
    `SELECT to_char(r.created_at AT TIME ZONE $3, 'YYYY-MM') AS month, r.channel, count(*)::int AS contacts
       FROM requests r WHERE ${IN_PERIOD}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [p.from, p.to, p.timeZone],
  );
  return rows;
}

export interface Figures {
  opened: number;
  resolved: number;
  open: number;
  /** Resolved requests that had a target, and of them those resolved by it. */
  withTarget: number;
  onTime: number;
  /** Requests the classifier was unsure of (they went to staff review). */
  sentToReview: number;
  medianHoursToRoute: number | null;
  p90HoursToRoute: number | null;
  medianHoursToResolve: number | null;
  p90HoursToResolve: number | null;
}

export interface GroupFigures extends Figures {
  /** 'category', 'department' or 'all'. */
  grouping: 'category' | 'department' | 'all';
  key: string | null;
}

export async function figuresByGroup(db: Db, p: Period): Promise<GroupFigures[]> {
  const { rows } = await db.query<GroupFigures>(
    `SELECT CASE WHEN grouping(r.category) = 0 THEN 'category' WHEN grouping(r.department_code) = 0 THEN 'department' ELSE 'all' END AS grouping,
            CASE WHEN grouping(r.category) = 0 THEN r.category ELSE r.department_code END AS key,
            count(*)::int AS opened,
            count(*) FILTER (WHERE r.status = ANY($4))::int AS resolved,
            count(*) FILTER (WHERE r.closed_at IS NULL)::int AS open,
            count(*) FILTER (WHERE r.status = ANY($4) AND r.due_at IS NOT NULL)::int AS "withTarget",
            count(*) FILTER (WHERE r.status = ANY($4) AND r.closed_at <= r.due_at)::int AS "onTime",
            count(*) FILTER (WHERE r.review_reasons <> '{}')::int AS "sentToReview",
            round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.routed_at - r.created_at)) / 3600)::numeric, 2)::float8 AS "medianHoursToRoute",
            round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.routed_at - r.created_at)) / 3600)::numeric, 2)::float8 AS "p90HoursToRoute",
            round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at)) FILTER (WHERE r.status = ANY($4)) / 3600)::numeric, 2)::float8 AS "medianHoursToResolve",
            round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at)) FILTER (WHERE r.status = ANY($4)) / 3600)::numeric, 2)::float8 AS "p90HoursToResolve"
       FROM requests r WHERE ${IN_PERIOD}
      GROUP BY GROUPING SETS ((r.category), (r.department_code), ())
      ORDER BY 1, opened DESC, 2`,
    [p.from, p.to, p.timeZone, RESOLVED],
  );
  return rows;
}

export interface Corrections {
  decisions: number;
  corrected: number;
}

/** Staff review decisions on requests of the period, and how many changed what the classifier said. */
export async function reviewCorrections(db: Db, p: Period): Promise<Corrections> {
  const { rows } = await db.query<Corrections>(
    `SELECT count(*)::int AS decisions, count(*) FILTER (WHERE (e.details->>'confirmed')::boolean IS FALSE)::int AS corrected
       FROM requests r JOIN request_events e ON e.request_id = r.id AND e.kind = 'reclassified'
      WHERE ${IN_PERIOD}`,
    [p.from, p.to, p.timeZone],
  );
  return rows[0] ?? { decisions: 0, corrected: 0 };
}

export async function busiestDays(db: Db, p: Period, limit = 10): Promise<{ day: string; contacts: number }[]> {
  const { rows } = await db.query<{ day: string; contacts: number }>(
    `SELECT to_char(r.created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, count(*)::int AS contacts
       FROM requests r WHERE ${IN_PERIOD}
      GROUP BY 1 ORDER BY contacts DESC, day LIMIT $4`,
    [p.from, p.to, p.timeZone, limit],
  );
  return rows;
}
