// A period's report: the figures a 311 centre publishes (contacts by channel and month, requests by
// category and department, time to route and to resolve, on-time share, review and correction rates,
// busiest days), as one object and as tables for the page, the CSV export and the command line.
import type pg from 'pg';
import { busiestDays, contactsByChannelAndMonth, countsByGroup, durationHistograms, type Counts, type DurationBucket, type Period } from './queries.ts';
import { histogramPercentile, refreshReportRollups } from './rollup.ts';

export const CHANNELS = ['email', 'web', 'chat', 'phone', 'walk_in', 'letter', 'open311'] as const;
export const CHANNEL_LABELS: Record<(typeof CHANNELS)[number], string> = {
  email: 'Email',
  web: 'Web form',
  chat: 'Chat',
  phone: 'Phone',
  walk_in: 'Walk-in',
  letter: 'Letter',
  open311: 'Open311 apps',
};

/** The counts of a group (as the rollups give them) and its times. */
export interface Figures extends Omit<Counts, 'grouping' | 'key' | 'decisions' | 'corrected'> {
  /** Hours, read from the duration histograms: within 10% of the exact figure. */
  medianHoursToRoute: number | null;
  p90HoursToRoute: number | null;
  medianHoursToResolve: number | null;
  p90HoursToResolve: number | null;
}

export interface GroupFigures extends Figures {
  grouping: 'category' | 'department' | 'all';
  key: string | null;
}

export interface Report {
  period: Period;
  /** The rollups' time: every change to requests before it is counted. */
  asOf: Date | null;
  contacts: number;
  byChannel: Record<string, number>;
  byMonth: { month: string; byChannel: Record<string, number>; contacts: number }[];
  all: Figures;
  categories: GroupFigures[];
  departments: GroupFigures[];
  reviewDecisions: number;
  corrected: number;
  busiestDays: { day: string; contacts: number }[];
}

const EMPTY: Figures = {
  opened: 0,
  resolved: 0,
  open: 0,
  withTarget: 0,
  onTime: 0,
  sentToReview: 0,
  medianHoursToRoute: null,
  p90HoursToRoute: null,
  medianHoursToResolve: null,
  p90HoursToResolve: null,
};

const hours = (seconds: number | null): number | null => (seconds === null ? null : Math.round((seconds / 3600) * 100) / 100);

/** A report waits for at most this many changed requests to be rolled up; more is left to the background refresh. */
const INLINE_REFRESH_LIMIT = 20_000;

/** The report for a period, read from the rollups, brought up to date first unless that would take long. */
export async function buildReport(pool: pg.Pool, period: Period): Promise<Report> {
  const { asOf } = await refreshReportRollups(pool, period.timeZone, { maxChanged: INLINE_REFRESH_LIMIT });
  const [months, counts, durations, days] = await Promise.all([
    contactsByChannelAndMonth(pool, period),
    countsByGroup(pool, period),
    durationHistograms(pool, period),
    busiestDays(pool, period),
  ]);
  const histogram = new Map<string, DurationBucket[]>();
  for (const d of durations) {
    const k = `${d.grouping}\u0000${d.key ?? ''}\u0000${d.kind}`;
    histogram.set(k, [...(histogram.get(k) ?? []), d]);
  }
  const percentile = (g: { grouping: string; key: string | null }, kind: 'route' | 'resolve', p: number): number | null =>
    hours(histogramPercentile(histogram.get(`${g.grouping}\u0000${g.key ?? ''}\u0000${kind}`) ?? [], p));
  const groups: (GroupFigures & { decisions: number; corrected: number })[] = counts.map((c) => ({
    ...c,
    medianHoursToRoute: percentile(c, 'route', 0.5),
    p90HoursToRoute: percentile(c, 'route', 0.9),
    medianHoursToResolve: percentile(c, 'resolve', 0.5),
    p90HoursToResolve: percentile(c, 'resolve', 0.9),
  }));
  const all = groups.find((g) => g.grouping === 'all');
  const figures = (g: GroupFigures & { decisions: number; corrected: number }): GroupFigures => {
    const { decisions: _d, corrected: _c, ...rest } = g;
    return rest;
  };
  const byChannel: Record<string, number> = Object.fromEntries(CHANNELS.map((c) => [c, 0]));
  const byMonth = new Map<string, Record<string, number>>();
  for (const m of months) {
    byChannel[m.channel] = (byChannel[m.channel] ?? 0) + m.contacts;
    const row = byMonth.get(m.month) ?? Object.fromEntries(CHANNELS.map((c) => [c, 0]));
    row[m.channel] = (row[m.channel] ?? 0) + m.contacts;
    byMonth.set(m.month, row);
  }
  return {
    period,
    asOf,
    contacts: Object.values(byChannel).reduce((a, b) => a + b, 0),
    byChannel,
    byMonth: monthsOf(period).map((month) => {
      const row = byMonth.get(month) ?? Object.fromEntries(CHANNELS.map((c) => [c, 0]));
      return { month, byChannel: row, contacts: Object.values(row).reduce((a, b) => a + b, 0) };
    }),
    all: all ? figures(all) : EMPTY,
    categories: groups.filter((g) => g.grouping === 'category').map(figures),
    departments: groups.filter((g) => g.grouping === 'department').map(figures),
    reviewDecisions: all?.decisions ?? 0,
    corrected: all?.corrected ?? 0,
    busiestDays: days,
  };
}

/** Every month the period touches, so a quiet month shows as 0 rather than vanishing. */
export function monthsOf(p: Pick<Period, 'from' | 'to'>): string[] {
  const out: string[] = [];
  let [y, m] = p.from.split('-').map(Number) as [number, number];
  const [ty, tm] = p.to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
}

export type Cell = string | number | null;
export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
}

function figureCells(f: Figures): Cell[] {
  return [f.opened, f.resolved, f.open, share(f.onTime, f.withTarget), f.medianHoursToRoute, f.p90HoursToRoute, f.medianHoursToResolve, f.p90HoursToResolve, share(f.sentToReview, f.opened)];
}
const FIGURE_COLUMNS = ['opened', 'resolved', 'open now', 'resolved within target', 'median hours to route', 'p90 hours to route', 'median hours to resolve', 'p90 hours to resolve', 'review rate'];

/** The report as tables: the same rows on the page, in the CSV files and on the command line. */
export function reportTables(r: Report, names: { department: (code: string | null) => string }): Record<string, Table> {
  return {
    summary: {
      title: 'Summary',
      columns: ['figure', 'value'],
      rows: [
        ['contacts', r.contacts],
        ...CHANNELS.map((c): Cell[] => [`contacts: ${CHANNEL_LABELS[c]}`, r.byChannel[c] ?? 0]),
        ['requests resolved', r.all.resolved],
        ['open now', r.all.open],
        ['resolved within target', share(r.all.onTime, r.all.withTarget)],
        ['median hours to route', r.all.medianHoursToRoute],
        ['p90 hours to route', r.all.p90HoursToRoute],
        ['median hours to resolve', r.all.medianHoursToResolve],
        ['p90 hours to resolve', r.all.p90HoursToResolve],
        ['review rate', share(r.all.sentToReview, r.all.opened)],
        ['staff review decisions', r.reviewDecisions],
        ['share corrected by staff', share(r.corrected, r.reviewDecisions)],
      ],
    },
    months: {
      title: 'Contacts by month and channel',
      columns: ['month', ...CHANNELS.map((c) => CHANNEL_LABELS[c]), 'total'],
      rows: r.byMonth.map((m) => [m.month, ...CHANNELS.map((c) => m.byChannel[c] ?? 0), m.contacts]),
    },
    categories: {
      title: 'Requests by category',
      columns: ['category', ...FIGURE_COLUMNS],
      rows: r.categories.map((g) => [g.key, ...figureCells(g)]),
    },
    departments: {
      title: 'Requests by department',
      columns: ['department', ...FIGURE_COLUMNS],
      rows: r.departments.map((g) => [names.department(g.key), ...figureCells(g)]),
    },
    days: {
      title: 'Busiest days',
      columns: ['day', 'contacts'],
      rows: r.busiestDays.map((d) => [d.day, d.contacts]),
    },
  };
}

/**
 * RFC 4180 CSV. A cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading quote
 * mark: department names and categories are configuration, but reports travel to people's desktops.
 */
export function toCsv(t: Table): string {
  const cell = (v: Cell): string => {
    if (v === null) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.columns, ...t.rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

export class PeriodError extends Error {
  override name = 'PeriodError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function lastDayOfMonth(y: number, m: number): string {
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/**
 * A period from what a person picks: `month=2026-11`, `quarter=2026-Q4`, `year=2026`, or `from`/`to`
 * dates. With nothing, the current month so far.
 */
export function parsePeriod(q: Record<string, string | undefined>, today: string, timeZone: string): Period {
  const month = q.month?.trim();
  const quarter = q.quarter?.trim();
  const year = q.year?.trim();
  if (month) {
    const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
    if (!m) throw new PeriodError(`month must look like 2026-11, got "${month}"`);
    return { from: `${m[1]}-${m[2]}-01`, to: lastDayOfMonth(Number(m[1]), Number(m[2])), timeZone };
  }
  if (quarter) {
    const m = /^(\d{4})-Q([1-4])$/i.exec(quarter);
    if (!m) throw new PeriodError(`quarter must look like 2026-Q4, got "${quarter}"`);
    const first = (Number(m[2]) - 1) * 3 + 1;
    return { from: `${m[1]}-${String(first).padStart(2, '0')}-01`, to: lastDayOfMonth(Number(m[1]), first + 2), timeZone };
  }
  if (year) {
    if (!/^\d{4}$/.test(year)) throw new PeriodError(`year must look like 2026, got "${year}"`);
    return { from: `${year}-01-01`, to: `${year}-12-31`, timeZone };
  }
  const from = q.from?.trim() || `${today.slice(0, 7)}-01`;
  const to = q.to?.trim() || today;
  if (!DATE.test(from) || Number.isNaN(Date.parse(from))) throw new PeriodError(`from must be a date like 2026-01-31, got "${from}"`);
  if (!DATE.test(to) || Number.isNaN(Date.parse(to))) throw new PeriodError(`to must be a date like 2026-12-31, got "${to}"`);
  if (to < from) throw new PeriodError(`the period ends (${to}) before it starts (${from})`);
  return { from, to, timeZone };
}
