// SQL for the dashboard's figures. "Today" and "this week" are calendar periods in the city's time zone.
import type { Db } from '../../db/pool.ts';

export interface CategoryVolume {
  category: string;
  today: number;
  week: number;
}

export async function volumeByCategory(db: Db, timeZone: string): Promise<CategoryVolume[]> {
  const { rows } = await db.query<CategoryVolume>(
    `WITH bounds AS (
       SELECT date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1 AS day_start,
              date_trunc('week', now() AT TIME ZONE $1) AT TIME ZONE $1 AS week_start
     )
     SELECT r.category,
            count(*) FILTER (WHERE r.created_at >= b.day_start)::int AS today,
            count(*)::int AS week
       FROM requests r, bounds b
      WHERE r.created_at >= b.week_start
      GROUP BY r.category
      ORDER BY week DESC, r.category`,
    [timeZone],
  );
  return rows;
}

export async function dailyVolume(db: Db, timeZone: string, days: number): Promise<{ day: string; count: number }[]> {
  const { rows } = await db.query<{ day: string; count: number }>(
    `WITH days AS (
       SELECT generate_series((now() AT TIME ZONE $1)::date - ($2::int - 1), (now() AT TIME ZONE $1)::date, interval '1 day')::date AS day
     )
     SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(r.id)::int AS count
       FROM days d LEFT JOIN requests r ON (r.created_at AT TIME ZONE $1)::date = d.day
      GROUP BY d.day ORDER BY d.day`,
    [timeZone, days],
  );
  return rows;
}

export interface FlowFigures {
  routed: number;
  routedWithoutReview: number;
  /** Seconds from the message's arrival to the confirmation email leaving, median. */
  medianToConfirmSeconds: number | null;
  /** Seconds from the message's arrival to a staff decision, median over reviewed requests. */
  medianToReviewSeconds: number | null;
  /** Seconds from arrival to the first routing, median over routed requests. */
  medianToRouteSeconds: number | null;
}

/** Over requests opened in the last `days` days. Arrival is when the raw message was stored, so pipeline time counts. */
export async function flowFigures(db: Db, days: number): Promise<FlowFigures> {
  const { rows } = await db.query<FlowFigures>(
    `WITH recent AS (
       SELECT r.id, r.routed_at, r.confirmed_at, coalesce(i.received_at, r.created_at) AS arrived,
              (SELECT min(e.created_at) FROM request_events e WHERE e.request_id = r.id AND e.kind = 'reclassified') AS reviewed_at,
              (SELECT min(e.created_at) FROM request_events e WHERE e.request_id = r.id AND e.kind = 'status' AND e.to_status = 'routed') AS first_routed
         FROM requests r LEFT JOIN inbound_messages i ON i.id = r.source_message_id
        WHERE r.created_at > now() - make_interval(days => $1)
     )
     SELECT count(*) FILTER (WHERE coalesce(first_routed, routed_at) IS NOT NULL)::int AS routed,
            count(*) FILTER (WHERE coalesce(first_routed, routed_at) IS NOT NULL AND reviewed_at IS NULL)::int AS "routedWithoutReview",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM confirmed_at - arrived))
              FILTER (WHERE confirmed_at IS NOT NULL) AS "medianToConfirmSeconds",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM reviewed_at - arrived))
              FILTER (WHERE reviewed_at IS NOT NULL) AS "medianToReviewSeconds",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(first_routed, routed_at) - arrived))
              FILTER (WHERE coalesce(first_routed, routed_at) IS NOT NULL) AS "medianToRouteSeconds"
       FROM recent`,
    [days],
  );
  return rows[0] as FlowFigures;
}

export interface FailedInbound {
  id: number;
  receivedAt: Date;
  fromAddress: string | null;
  subject: string | null;
  error: string | null;
}

export async function failedInbound(db: Db, limit: number): Promise<FailedInbound[]> {
  const { rows } = await db.query<FailedInbound>(
    `SELECT id, received_at AS "receivedAt", from_address AS "fromAddress", subject, error
       FROM inbound_messages WHERE state = 'failed' ORDER BY received_at DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Puts a failed message back to be parsed again; false when it was not (or no longer) failed. */

export interface FailedOutbox {
  id: number;
  requestId: number | null;
  kind: string;
  toAddress: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

export async function failedOutbox(db: Db, limit: number): Promise<FailedOutbox[]> {
  const { rows } = await db.query<FailedOutbox>(
    `SELECT id, request_id AS "requestId", kind, to_address AS "toAddress", subject, attempts, last_error AS "lastError", created_at AS "createdAt"
       FROM outbox WHERE state = 'failed' ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

