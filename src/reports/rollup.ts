// Keeps request_day_stats and request_day_durations in step with requests: every local day with a
// request changed since the last refresh is recomputed whole, so the rollups always equal what a full
// scan would count. A refresh after a quiet hour touches a handful of days.
import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import type { Status } from '../requests/status.ts';
import { RESOLVED } from './queries.ts';

// Any constant of this app's own: one refresh at a time across processes.
const ROLLUP_LOCK_KEY = 311_311_015;
/** Bucket b >= 1 holds durations from 60 * GROWTH^(b-1) to 60 * GROWTH^b seconds; bucket 0 under a minute. */
export const GROWTH = 1.1;
const MAX_BUCKET = 199;
// A transaction that commits after our snapshot may carry an updated_at from before it: look back this far.
const OVERLAP = '10 seconds';

const bucketSql = (seconds: string): string =>
  `CASE WHEN ${seconds} < 60 THEN 0 ELSE least(${MAX_BUCKET}, 1 + floor(ln(${seconds} / 60.0) / ln(${GROWTH})))::int END`;

const DAY = (tz: string): string => `(r.created_at AT TIME ZONE ${tz})::date`;

export interface RefreshResult {
  /** Days recomputed. */
  days: number;
  /** When the rollups were last brought up to date (this refresh, or an earlier one when this was skipped). */
  asOf: Date | null;
  /** True when more had changed than `maxChanged`: the background refresh does it instead. */
  skipped: boolean;
}

/**
 * Brings the rollups up to date. With `maxChanged`, a refresh that would re-read more changed requests
 * than that is skipped (a report page should not wait minutes after a bulk change; the scheduler's
 * refresh each minute catches up).
 */
export async function refreshReportRollups(pool: pg.Pool, timeZone: string, opts: { maxChanged?: number } = {}): Promise<RefreshResult> {
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK_KEY]);
    const state = (await tx.query<{ tz: string | null; at: Date | null }>('SELECT time_zone AS tz, refreshed_at AS at FROM report_rollup_state WHERE id = 1')).rows[0];
    const full = !state?.at || state.tz !== timeZone;
    if (opts.maxChanged !== undefined && !full) {
      const { rows: changed } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM requests WHERE updated_at >= $1::timestamptz - interval '${OVERLAP}' LIMIT $2 + 1) c`,
        [state.at, opts.maxChanged],
      );
      if ((changed[0]?.n ?? 0) > opts.maxChanged) return { days: 0, asOf: state.at, skipped: true };
    }
    const { rows } = await tx.query<{ day: string }>(
      full
        ? `SELECT DISTINCT ${DAY('$1')}::text AS day FROM requests r`
        : `SELECT DISTINCT ${DAY('$1')}::text AS day FROM requests r WHERE r.updated_at >= $2::timestamptz - interval '${OVERLAP}'`,
      full ? [timeZone] : [timeZone, state.at],
    );
    const days = rows.map((r) => r.day);
    if (full) {
      await tx.query('TRUNCATE request_day_stats, request_day_durations');
    } else if (days.length > 0) {
      await tx.query('DELETE FROM request_day_stats WHERE day = ANY($1::date[])', [days]);
      await tx.query('DELETE FROM request_day_durations WHERE day = ANY($1::date[])', [days]);
    }
    if (days.length > 0) {
      // A full build reads everything; a refresh names its days, also as timestamp bounds for the created_at index.
      const inDays = full
        ? '$2::date[] IS NOT NULL'
        : `${DAY('$1')} = ANY($2::date[]) AND r.created_at >= (SELECT min(d) FROM unnest($2::date[]) d)::timestamp AT TIME ZONE $1
        AND r.created_at < ((SELECT max(d) FROM unnest($2::date[]) d) + 1)::timestamp AT TIME ZONE $1`;
      await tx.query(
        `INSERT INTO request_day_stats
         SELECT ${DAY('$1')}, r.category, coalesce(r.department_code, ''), r.channel,
                count(*), count(*) FILTER (WHERE r.status = ANY($3)), count(*) FILTER (WHERE r.closed_at IS NULL),
                count(*) FILTER (WHERE r.status = ANY($3) AND r.due_at IS NOT NULL),
                count(*) FILTER (WHERE r.status = ANY($3) AND r.closed_at <= r.due_at),
                count(*) FILTER (WHERE r.review_reasons <> '{}'),
                coalesce(sum(d.decisions), 0), coalesce(sum(d.corrected), 0)
           FROM requests r
           LEFT JOIN (SELECT e.request_id, count(*) AS decisions, count(*) FILTER (WHERE (e.details->>'confirmed')::boolean IS FALSE) AS corrected
                        FROM request_events e WHERE e.kind = 'reclassified' GROUP BY e.request_id) d ON d.request_id = r.id
          WHERE ${inDays}
          GROUP BY 1, 2, 3, 4`,
        [timeZone, days, RESOLVED as readonly Status[]],
      );
      await tx.query(
        `INSERT INTO request_day_durations
         SELECT day, category, dept, kind, bucket, count(*) FROM (
           SELECT ${DAY('$1')} AS day, r.category, coalesce(r.department_code, '') AS dept, 'route' AS kind,
                  ${bucketSql('extract(epoch FROM r.routed_at - r.created_at)')} AS bucket
             FROM requests r WHERE r.routed_at IS NOT NULL AND ${inDays}
           UNION ALL
           SELECT ${DAY('$1')}, r.category, coalesce(r.department_code, ''), 'resolve',
                  ${bucketSql('extract(epoch FROM r.closed_at - r.created_at)')}
             FROM requests r WHERE r.status = ANY($3) AND r.closed_at IS NOT NULL AND ${inDays}
         ) t GROUP BY 1, 2, 3, 4, 5`,
        [timeZone, days, RESOLVED as readonly Status[]],
      );
    }
    const { rows: done } = await tx.query<{ at: Date }>(`UPDATE report_rollup_state SET time_zone = $1, refreshed_at = now() WHERE id = 1 RETURNING refreshed_at AS at`, [timeZone]);
    return { days: days.length, asOf: done[0]?.at ?? null, skipped: false };
  });
}

/** Where a bucket's durations start and end, in seconds. */
export function bucketBounds(bucket: number): [number, number] {
  if (bucket === 0) return [0, 60];
  return [60 * GROWTH ** (bucket - 1), 60 * GROWTH ** bucket];
}

/**
 * A percentile from a histogram, as percentile_cont would read it from the durations themselves: the
 * rank p * (n - 1) is found in its bucket and placed within it in proportion (geometrically, as the
 * buckets grow), so the answer is within one bucket's width (10%) of the exact one.
 */
export function histogramPercentile(buckets: readonly { bucket: number; n: number }[], p: number): number | null {
  const sorted = [...buckets].filter((b) => b.n > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((s, b) => s + b.n, 0);
  if (total === 0) return null;
  const rank = p * (total - 1);
  let seen = 0;
  for (const b of sorted) {
    if (rank < seen + b.n) {
      const [lo, hi] = bucketBounds(b.bucket);
      const within = b.n === 1 ? 0.5 : Math.min(1, (rank - seen) / (b.n - 1));
      return b.bucket === 0 ? lo + (hi - lo) * within : lo * (hi / lo) ** within;
    }
    seen += b.n;
  }
  const last = sorted.at(-1)!;
  return bucketBounds(last.bucket)[1];
}
