// Times the report and digest queries on a generated city-sized database: N requests over five years
// (NYC's 311 opens about 2 million a year, so 10 million is five years of it), with review decisions
// and escalations in proportion. Usage:
//   node --import tsx scripts/report-scale.ts [--requests 10000000] [--database cityline_scale] [--keep] [--nice]
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createPool, ensureDatabase } from '../src/db/pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { openWorkByDepartment, overdueNotEscalated } from '../src/accountability/open-work.ts';
import { buildReport, type Report } from '../src/reports/report.ts';
import { refreshReportRollups } from '../src/reports/rollup.ts';
import { loadRouting, syncRouting } from '../src/routing/rules.ts';
import { loadConfig } from '../src/config/index.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const N = Number(arg('requests', '10000000'));
const DB = arg('database', 'cityline_scale');
const TZ = 'America/New_York';

const base = new URL(loadConfig().databaseUrl);
base.pathname = `/${DB}`;
const url = base.toString();

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const out = await fn();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  process.stdout.write(`${what.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms\n`);
  return out;
}

async function main(): Promise<void> {
  await ensureDatabase(url);
  // Two connections (migrations hold a lock on one), with --nice their server processes at the lowest CPU
  // priority, so other work on the machine goes first.
  const pool = createPool(url, 2);
  await migrate(pool);
  if (process.argv.includes('--nice')) {
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    for (const c of clients) {
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      if (pid) execFileSync('renice', ['-n', '19', '-p', String(pid)]);
      c.release();
    }
  }
  const routing = await loadRouting(loadConfig().routingFile);
  await syncRouting(pool, routing);
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM requests');
  if ((rows[0]?.n ?? 0) < N) {
    await pool.query('TRUNCATE requests, request_events RESTART IDENTITY CASCADE');
    // Chunks keep each statement's WAL and memory bounded; times are spread evenly over five years
    // ending today, in creation order as the app writes them.
    const chunk = 1_000_000;
    for (let from = 0; from < N; from += chunk) {
      const to = Math.min(N, from + chunk);
      await timed(`generate requests ${from}-${to}`, () =>
        pool.query(
          `INSERT INTO requests (tracking_number, status, category, confidence, department_code, channel, street, created_at, routed_at, closed_at, due_at, review_reasons)
           SELECT 'S-' || i, st, c.category, 0.9, c.department_code, ch, 'Main Street', created,
                  CASE WHEN st <> 'needs_review' THEN created + make_interval(secs => (i * 7919) % 86400) END,
                  CASE WHEN st IN ('resolved', 'closed', 'duplicate', 'not_city') THEN created + make_interval(secs => (i * 104729) % (30 * 86400)) END,
                  created + interval '3 days',
                  CASE WHEN i % 4 = 0 THEN '{low_confidence}'::text[] ELSE '{}' END
             FROM generate_series($1::bigint, $2::bigint - 1) AS i,
                  LATERAL (SELECT now() - interval '5 years' + (interval '5 years' * i / $3::bigint) AS created,
                                  (ARRAY['resolved','resolved','resolved','closed','routed','in_progress','needs_review','duplicate','not_city'])[1 + (i * 31) % 9] AS st,
                                  (ARRAY['email','email','email','web','chat','phone','phone','walk_in','letter','open311'])[1 + (i * 17) % 10] AS ch) AS g,
                  LATERAL (SELECT (ARRAY['pothole','street_paving','sidewalk','tree','dead_animal','traffic_signal','streetlight','road_sign','blight',
                                         'drainage','snow_ice','leaf_pickup','street_sweeping','trash_recycling','graffiti','info_request','other'])[1 + (i * 13) % 17] AS cat) AS k
             JOIN category_routes c ON c.category = k.cat`,
          [from, to, N],
        ),
      );
    }
    await timed('generate review decisions (1 in 4)', () =>
      pool.query(
        `INSERT INTO request_events (request_id, kind, actor, details)
         SELECT id, 'reclassified', 'agent', jsonb_build_object('confirmed', id % 3 <> 0) FROM requests WHERE review_reasons <> '{}'`,
      ),
    );
    await timed('VACUUM ANALYZE', () => pool.query('VACUUM ANALYZE requests, request_events'));
  }
  const size = await pool.query<{ requests: string; events: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('requests')) AS requests, pg_size_pretty(pg_total_relation_size('request_events')) AS events`,
  );
  process.stdout.write(`${N} requests: requests ${size.rows[0]?.requests}, request_events ${size.rows[0]?.events}\n`);
  const today = new Date().toISOString().slice(0, 10);
  const y = Number(today.slice(0, 4));
  const periods: [string, string, string][] = [
    ['a month', `${y}-${today.slice(5, 7)}-01`, today],
    ['a quarter', `${y}-07-01`, `${y}-09-30`],
    ['a year', `${y - 1}-01-01`, `${y - 1}-12-31`],
    ['five years', `${y - 5}-01-01`, today],
  ];
  await timed('rollups: first full build', () => refreshReportRollups(pool, TZ));
  await pool.query(`UPDATE requests SET status = 'resolved', closed_at = now(), updated_at = now() WHERE id IN (SELECT id FROM requests WHERE status = 'routed' ORDER BY random() LIMIT 1000)`);
  await timed('rollups: refresh after 1,000 requests changed', () => refreshReportRollups(pool, TZ));
  let report: Report | null = null;
  for (const [name, from, to] of periods) {
    await timed(`report: ${name} (cold)`, () => buildReport(pool, { from, to, timeZone: TZ }));
    report = await timed(`report: ${name} (again)`, () => buildReport(pool, { from, to, timeZone: TZ }));
  }
  process.stdout.write(`five-year contacts counted: ${report?.contacts}\n`);
  const work = await timed('digest: open work by department (first 200 each)', () => openWorkByDepartment(pool, ['routed', 'in_progress'], new Date(), 200));
  process.stdout.write(`open with departments: ${work.reduce((n, d) => n + d.open, 0)}\n`);
  await timed('escalation: overdue not escalated (500)', () => overdueNotEscalated(pool, ['received', 'needs_review', 'routed', 'in_progress']));
  await pool.end();
  if (!process.argv.includes('--keep')) {
    const admin = new pg.Client({ connectionString: loadConfig().databaseUrl.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE ${DB} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
