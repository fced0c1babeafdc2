// A year of requests with known values, in real PostgreSQL: every figure of the report must be the one
// worked out here, independently, from the same list.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/index.ts';
import { buildReport, CHANNELS, parsePeriod, reportTables, toCsv, type Report } from '../../src/reports/report.ts';
import { loadRouting, syncRouting } from '../../src/routing/rules.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const TZ = 'America/New_York';
const CATS = ['pothole', 'streetlight', 'graffiti', 'tree', 'info_request'] as const;
const DEPT: Record<(typeof CATS)[number], string> = { pothole: 'highway', streetlight: 'traffic', graffiti: 'inspection', tree: 'forestry', info_request: 'cityline' };
const STATUSES = ['routed', 'in_progress', 'resolved', 'closed', 'needs_review', 'duplicate', 'not_city'] as const;
const HOUR = 3_600_000;

interface Gen {
  created: Date;
  channel: string;
  category: (typeof CATS)[number];
  status: (typeof STATUSES)[number];
  routedAfterH: number | null;
  closedAfterH: number | null;
  dueAfterH: number;
  review: boolean;
  decision: 'confirmed' | 'corrected' | null;
}

// A fixed pseudo-random sequence: the same year every run.
let seed = 311;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function generate(n: number, fromMs: number, toMs: number): Gen[] {
  return Array.from({ length: n }, () => {
    const status = pick(STATUSES);
    const routed = status !== 'needs_review' && status !== 'duplicate';
    const finished = status === 'resolved' || status === 'closed' || status === 'duplicate' || status === 'not_city';
    const review = rand() < 0.3;
    return {
      created: new Date(fromMs + Math.floor(rand() * (toMs - fromMs))),
      channel: pick(CHANNELS),
      category: pick(CATS),
      status,
      routedAfterH: routed ? Math.round(rand() * 4000) / 100 : null,
      closedAfterH: finished ? Math.round(rand() * 30000) / 100 : null,
      dueAfterH: 48 + Math.round(rand() * 200),
      review,
      decision: review ? (rand() < 0.4 ? 'corrected' : 'confirmed') : null,
    };
  });
}

const inYear = generate(900, Date.parse('2025-01-01T05:00:00Z'), Date.parse('2026-01-01T05:00:00Z'));
// Just outside the year in Danbury's time (a UTC date inside it): must not count.
const outside = [
  ...generate(20, Date.parse('2024-12-01T00:00:00Z'), Date.parse('2025-01-01T04:59:00Z')),
  ...generate(20, Date.parse('2026-01-01T05:00:00Z'), Date.parse('2026-02-01T00:00:00Z')),
];

let db: TestDb;
let report: Report;

beforeAll(async () => {
  db = await createTestDb();
  await syncRouting(db.pool, await loadRouting(path.join(PROJECT_ROOT, 'config', 'routing.json')));
  const all = [...inYear, ...outside];
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO requests (tracking_number, status, category, confidence, department_code, channel, created_at, routed_at, closed_at, due_at, review_reasons)
     SELECT 'T-' || i, s, c, 0.9, d, ch, cr, ra, ca, du, CASE WHEN rv THEN '{low_confidence}'::text[] ELSE '{}' END
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::bool[])
            AS t(i, s, c, d, ch, cr, ra, ca, du, rv)
      ORDER BY i
     RETURNING id`,
    [
      all.map((_, i) => i),
      all.map((g) => g.status),
      all.map((g) => g.category),
      all.map((g) => DEPT[g.category]),
      all.map((g) => g.channel),
      all.map((g) => g.created),
      all.map((g) => (g.routedAfterH === null ? null : new Date(g.created.getTime() + g.routedAfterH * HOUR))),
      all.map((g) => (g.closedAfterH === null ? null : new Date(g.created.getTime() + g.closedAfterH * HOUR))),
      all.map((g) => new Date(g.created.getTime() + g.dueAfterH * HOUR)),
      all.map((g) => g.review),
    ],
  );
  const decisions = all.flatMap((g, i) => (g.decision ? [{ id: rows[i]!.id, confirmed: g.decision === 'confirmed' }] : []));
  await db.pool.query(
    `INSERT INTO request_events (request_id, kind, actor, details)
     SELECT id, 'reclassified', 'agent@danbury.example', jsonb_build_object('confirmed', c) FROM unnest($1::bigint[], $2::bool[]) AS t(id, c)`,
    [decisions.map((d) => d.id), decisions.map((d) => d.confirmed)],
  );
  report = await buildReport(db.pool, parsePeriod({ year: '2025' }, '2026-12-02', TZ));
});

afterAll(async () => {
  await db?.drop();
});

const LOCAL_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const localDate = (d: Date): string => LOCAL_DATE.format(d);

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return Math.round((s[lo]! + (s[hi]! - s[lo]!) * (at - lo)) * 100) / 100;
}

function expectedFigures(gs: Gen[]) {
  const resolved = gs.filter((g) => g.status === 'resolved' || g.status === 'closed');
  return {
    opened: gs.length,
    resolved: resolved.length,
    open: gs.filter((g) => g.closedAfterH === null).length,
    withTarget: resolved.length,
    onTime: resolved.filter((g) => g.closedAfterH! <= g.dueAfterH).length,
    sentToReview: gs.filter((g) => g.review).length,
    medianHoursToRoute: percentile(gs.flatMap((g) => (g.routedAfterH === null ? [] : [g.routedAfterH])), 0.5),
    p90HoursToRoute: percentile(gs.flatMap((g) => (g.routedAfterH === null ? [] : [g.routedAfterH])), 0.9),
    medianHoursToResolve: percentile(resolved.map((g) => g.closedAfterH!), 0.5),
    p90HoursToResolve: percentile(resolved.map((g) => g.closedAfterH!), 0.9),
  };
}

const TIMES = ['medianHoursToRoute', 'p90HoursToRoute', 'medianHoursToResolve', 'p90HoursToResolve'] as const;

/** Counts exactly; times (read from 10%-wide histogram buckets) within 10% of the exact percentile. */
function expectFigures(got: Record<string, unknown>, want: ReturnType<typeof expectedFigures>, what: string): void {
  const { grouping: _g, key: _k, ...figures } = got;
  for (const t of TIMES) {
    if (want[t] === null) expect(figures[t], `${what} ${t}`).toBeNull();
    else expect(Math.abs((figures[t] as number) - want[t]!), `${what} ${t}: ${String(figures[t])} vs ${want[t]}`).toBeLessThanOrEqual(want[t]! * 0.1 + 0.01);
    delete figures[t];
  }
  const counts: Record<string, unknown> = { ...want };
  for (const t of TIMES) delete counts[t];
  expect(figures, what).toEqual(counts);
}

describe('the annual report agrees with the database', () => {
  it('counts every contact of the year, by channel and by month, and none outside it', () => {
    expect(report.contacts).toBe(inYear.length);
    for (const c of CHANNELS) expect(report.byChannel[c], c).toBe(inYear.filter((g) => g.channel === c).length);
    expect(report.byMonth.map((m) => m.month)).toEqual(Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`));
    for (const m of report.byMonth) {
      for (const c of CHANNELS) {
        expect(m.byChannel[c], `${m.month} ${c}`).toBe(inYear.filter((g) => localDate(g.created).startsWith(m.month) && g.channel === c).length);
      }
    }
  });

  it('gives each category and department its counts, times and on-time share', () => {
    expect(report.categories.map((g) => g.key).sort()).toEqual([...CATS].sort());
    for (const g of report.categories) expectFigures({ ...g }, expectedFigures(inYear.filter((x) => x.category === g.key)), `category ${g.key}`);
    expect(report.departments.map((g) => g.key).sort()).toEqual(Object.values(DEPT).sort());
    for (const g of report.departments) expectFigures({ ...g }, expectedFigures(inYear.filter((x) => DEPT[x.category] === g.key)), `department ${g.key}`);
    expectFigures({ ...report.all }, expectedFigures(inYear), 'all');
  });

  it('gives the review decisions and the share staff corrected', () => {
    expect(report.reviewDecisions).toBe(inYear.filter((g) => g.decision).length);
    expect(report.corrected).toBe(inYear.filter((g) => g.decision === 'corrected').length);
  });

  it('names the busiest days', () => {
    const perDay = new Map<string, number>();
    for (const g of inYear) perDay.set(localDate(g.created), (perDay.get(localDate(g.created)) ?? 0) + 1);
    const expected = [...perDay].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([day, contacts]) => ({ day, contacts }));
    expect(report.busiestDays).toEqual(expected);
  });

  it('exports every table as CSV with the same numbers', () => {
    const tables = reportTables(report, { department: (c) => c ?? '(none)' });
    const months = toCsv(tables.months!).trim().split('\r\n');
    expect(months[0]).toBe('month,Email,Web form,Chat,Phone,Walk-in,Letter,Open311 apps,total');
    expect(months).toHaveLength(13);
    expect(months.slice(1).map((l) => Number(l.split(',').at(-1))).reduce((a, b) => a + b, 0)).toBe(inYear.length);
    const summary = toCsv(tables.summary!);
    expect(summary).toContain(`contacts,${inYear.length}\r\n`);
  });
});

describe('the rollups follow the requests', () => {
  it('count a request resolved after the last report, and nothing twice', async () => {
    const open = inYear.findIndex((g) => g.status === 'routed');
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id FROM requests WHERE tracking_number = $1`, [`T-${open}`]);
    await db.pool.query(`UPDATE requests SET status = 'resolved', closed_at = created_at + interval '5 hours', updated_at = now() WHERE id = $1`, [rows[0]!.id]);
    const after = await buildReport(db.pool, parsePeriod({ year: '2025' }, '2026-12-02', TZ));
    expect(after.contacts).toBe(report.contacts);
    expect(after.all.resolved).toBe(report.all.resolved + 1);
    expect(after.all.open).toBe(report.all.open - 1);
    const again = await buildReport(db.pool, parsePeriod({ year: '2025' }, '2026-12-02', TZ));
    expect(again.all).toEqual(after.all);
  });

  it('leave a bulk change to the background refresh rather than make a report wait, and say as of when', async () => {
    const { refreshReportRollups } = await import('../../src/reports/rollup.ts');
    const before = await buildReport(db.pool, parsePeriod({ year: '2025' }, '2026-12-02', TZ));
    await db.pool.query(`UPDATE requests SET updated_at = now() WHERE tracking_number IN ('T-1', 'T-2')`);
    const skipped = await refreshReportRollups(db.pool, TZ, { maxChanged: 1 });
    expect(skipped).toEqual({ days: 0, asOf: before.asOf, skipped: true });
    const done = await refreshReportRollups(db.pool, TZ);
    expect(done.skipped).toBe(false);
    expect(done.days).toBeGreaterThanOrEqual(1);
    expect(done.asOf!.getTime()).toBeGreaterThan(before.asOf!.getTime());
  });
});

describe('percentiles from histograms', () => {
  it('land within a bucket of the exact value', async () => {
    const { histogramPercentile, bucketBounds } = await import('../../src/reports/rollup.ts');
    expect(histogramPercentile([], 0.5)).toBeNull();
    const [lo, hi] = bucketBounds(40);
    const got = histogramPercentile([{ bucket: 40, n: 1 }], 0.5)!;
    expect(got).toBeGreaterThanOrEqual(lo);
    expect(got).toBeLessThanOrEqual(hi);
    expect(hi / lo).toBeCloseTo(1.1, 10);
    // Nine fast, one slow: the median is fast, the 90th percentile between the two.
    const mixed = [{ bucket: 10, n: 9 }, { bucket: 80, n: 1 }];
    expect(histogramPercentile(mixed, 0.5)!).toBeLessThanOrEqual(bucketBounds(10)[1]);
    expect(histogramPercentile(mixed, 1)!).toBeGreaterThanOrEqual(bucketBounds(80)[0]);
  });
});

describe('periods and CSV cells', () => {
  it('reads month, quarter, year and custom ranges, and says what is wrong', () => {
    expect(parsePeriod({ month: '2026-02' }, '2026-12-02', TZ)).toMatchObject({ from: '2026-02-01', to: '2026-02-28' });
    expect(parsePeriod({ quarter: '2026-Q4' }, '2026-12-02', TZ)).toMatchObject({ from: '2026-10-01', to: '2026-12-31' });
    expect(parsePeriod({}, '2026-12-02', TZ)).toMatchObject({ from: '2026-12-01', to: '2026-12-02' });
    expect(() => parsePeriod({ month: '2026-13' }, '2026-12-02', TZ)).toThrow('month must look like 2026-11, got "2026-13"');
    expect(() => parsePeriod({ from: '2026-05-01', to: '2026-04-01' }, '2026-12-02', TZ)).toThrow('ends (2026-04-01) before it starts (2026-05-01)');
  });

  it('quotes commas and quotes, and defuses cells a spreadsheet would run', () => {
    expect(toCsv({ title: 't', columns: ['a', 'b'], rows: [['x, "y"', '=HYPERLINK("http://evil")'], [null, 3]] })).toBe(
      'a,b\r\n"x, ""y""","\'=HYPERLINK(""http://evil"")"\r\n,3\r\n',
    );
  });
});
