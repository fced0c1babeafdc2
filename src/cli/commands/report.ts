// cityline report [--month 2026-11 | --quarter 2026-Q4 | --year 2026 | --from D --to D] [--csv TABLE]:
// the staff app's report on the command line, as tables or as one table's CSV.
import { loadConfig, redact } from '../../config/index.ts';
import { createPool } from '../../db/pool.ts';
import { describeError, isUnavailable } from '../../errors.ts';
import { buildReport, parsePeriod, PeriodError, reportTables, toCsv, type Cell } from '../../reports/report.ts';
import { loadRouting } from '../../routing/rules.ts';
import { localDateOf } from '../../targets/calendar.ts';
import { CITY_TIME_ZONE } from '../../web/context.ts';
import { progressBar } from '../progress.ts';

const USAGE = 'usage: cityline report [--month YYYY-MM | --quarter YYYY-Qn | --year YYYY | --from YYYY-MM-DD --to YYYY-MM-DD] [--csv summary|months|categories|departments|days]';

function options(args: string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i];
    const value = args[i + 1];
    if (!key?.startsWith('--') || value === undefined || !['month', 'quarter', 'year', 'from', 'to', 'csv'].includes(key.slice(2))) return null;
    out[key.slice(2)] = value;
  }
  return out;
}

function text(v: Cell): string {
  return v === null ? '—' : String(v);
}

export async function run(args: string[]): Promise<number> {
  const opts = options(args);
  if (!opts) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = loadConfig();
  let period;
  try {
    period = parsePeriod(opts, localDateOf(new Date(), CITY_TIME_ZONE), CITY_TIME_ZONE);
  } catch (err) {
    if (err instanceof PeriodError) {
      process.stderr.write(`report: ${err.message}\n${USAGE}\n`);
      return 64;
    }
    throw err;
  }
  const routing = await loadRouting(config.routingFile);
  const pool = createPool(config.databaseUrl, 4);
  // One long query batch: the bar says it is working rather than how far along.
  const progress = progressBar('report', 1);
  try {
    const report = await buildReport(pool, period);
    progress.update(1);
    progress.stop();
    const tables = reportTables(report, { department: (c) => (c === null ? '(not routed)' : (routing.departments.get(c)?.name ?? c)) });
    if (opts.csv !== undefined) {
      const table = tables[opts.csv];
      if (!table) {
        process.stderr.write(`report: no table "${opts.csv}": ${Object.keys(tables).join(', ')}\n`);
        return 64;
      }
      process.stdout.write(toCsv(table));
      return 0;
    }
    const out: string[] = [`CityLine 311 report, ${period.from} to ${period.to}`];
    for (const t of Object.values(tables)) {
      const rows = [t.columns, ...t.rows.map((r) => r.map(text))];
      const widths = t.columns.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
      out.push('', t.title, ...rows.map((r) => r.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]!) : String(v).padStart(widths[i]!))).join('  ')));
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (isUnavailable(err)) {
      process.stderr.write(`report: cannot reach the database at ${redact(config.databaseUrl)} (${describeError(err)}); start PostgreSQL or set DATABASE_URL\n`);
      return 75;
    }
    throw err;
  } finally {
    progress.stop();
    await pool.end();
  }
}
