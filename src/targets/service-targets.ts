// Service targets: how long each category may take to resolve, in the city's business time. Read once
// from config/service-targets.json (CITYLINE_TARGETS_FILE) and checked, like the routing file.
import { readFile } from 'node:fs/promises';
import { CATEGORIES, type Category } from '../classify/types.ts';
import { ConfigError } from '../config/index.ts';
import { addBusinessMinutes, businessMinutesBetween, minutesPerBusinessDay, type BusinessCalendar } from './calendar.ts';
import { holidaysOf } from './holidays.ts';

export interface ServiceTargets {
  readonly calendar: BusinessCalendar;
  /** Business days allowed per category. */
  readonly businessDays: Readonly<Record<Category, number>>;
  /** A late request is escalated to the supervisor this many business days after its due time. */
  readonly escalateAfterBusinessDays: number;
  dueAt(category: Category, openedAt: Date): Date;
  escalateAt(dueAt: Date): Date;
  /** Business days (fractional) from a to b. */
  businessDaysBetween(a: Date, b: Date): number;
}

function fail(file: string, what: string): never {
  throw new ConfigError(`service targets file ${file}: ${what}`);
}

function clock(file: string, field: string, v: unknown): number {
  if (typeof v !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) fail(file, `${field} must be a time like "08:30"`);
  const [h, m] = v.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function parseServiceTargets(json: unknown, file: string): ServiceTargets {
  const o = (json ?? {}) as Record<string, unknown>;
  const timeZone = typeof o.timeZone === 'string' ? o.timeZone : fail(file, '"timeZone" must name an IANA zone like "America/New_York"');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    fail(file, `"timeZone" ${JSON.stringify(timeZone)} is not a time zone`);
  }
  const hours = (o.businessHours ?? {}) as Record<string, unknown>;
  const workdays = hours.workdays;
  if (!Array.isArray(workdays) || workdays.length === 0 || !workdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    fail(file, '"businessHours.workdays" must list ISO weekdays, 1 (Monday) to 7 (Sunday)');
  }
  const startMinute = clock(file, 'businessHours.start', hours.start);
  const endMinute = clock(file, 'businessHours.end', hours.end);
  if (endMinute <= startMinute) fail(file, 'businessHours.end must be after businessHours.start');
  if (o.holidays !== 'connecticut' && o.holidays !== 'none') fail(file, '"holidays" must be "connecticut" or "none"');
  const closures = o.closures ?? [];
  if (!Array.isArray(closures) || !closures.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d))) {
    fail(file, '"closures" must list dates like "2026-12-24"');
  }
  const extra = new Set(closures as string[]);
  const byYear = new Map<number, Map<string, string>>();
  const holidays = o.holidays === 'connecticut';
  const calendar: BusinessCalendar = Object.freeze({
    timeZone,
    workdays: workdays as number[],
    startMinute,
    endMinute,
    isClosed(date: string) {
      if (extra.has(date)) return true;
      if (!holidays) return false;
      // New Year's Day on a Saturday is observed on the last day of the year before.
      const year = Number(date.slice(0, 4));
      return [year, year + 1].some((y) => {
        let h = byYear.get(y);
        if (!h) byYear.set(y, (h = holidaysOf(y)));
        return h.has(date);
      });
    },
  });
  const targets = (o.targets ?? {}) as Record<string, unknown>;
  const businessDays = {} as Record<Category, number>;
  for (const category of CATEGORIES) {
    const t = targets[category] as { businessDays?: unknown } | undefined;
    const days = t?.businessDays;
    if (typeof days !== 'number' || !(days > 0) || days > 365) fail(file, `targets.${category}.businessDays must be a number of business days from 0 to 365`);
    businessDays[category] = days;
  }
  for (const key of Object.keys(targets)) if (!(CATEGORIES as readonly string[]).includes(key)) fail(file, `targets.${key} is not a category`);
  const escalateAfter = o.escalateAfterBusinessDays ?? 2;
  if (typeof escalateAfter !== 'number' || escalateAfter < 0 || escalateAfter > 365) fail(file, '"escalateAfterBusinessDays" must be a number from 0 to 365');
  const perDay = minutesPerBusinessDay(calendar);
  return Object.freeze({
    calendar,
    businessDays: Object.freeze(businessDays),
    escalateAfterBusinessDays: escalateAfter,
    dueAt: (category: Category, openedAt: Date) => addBusinessMinutes(openedAt, Math.round(businessDays[category] * perDay), calendar),
    escalateAt: (dueAt: Date) => addBusinessMinutes(dueAt, Math.round(escalateAfter * perDay), calendar),
    businessDaysBetween: (a: Date, b: Date) => businessMinutesBetween(a, b, calendar) / perDay,
  });
}

export async function loadServiceTargets(file: string): Promise<ServiceTargets> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read service targets file ${file} (CITYLINE_TARGETS_FILE): ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`service targets file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseServiceTargets(json, file);
}
