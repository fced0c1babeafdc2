// Connecticut municipal holidays as rules, so the calendar is right for any year without a yearly list.
// A holiday on a Saturday is observed the Friday before, on a Sunday the Monday after (as CT and the
// federal government do).
import { addDays, isoWeekday } from './calendar.ts';

export type HolidayRule =
  | { name: string; month: number; day: number }
  | { name: string; month: number; weekday: number; nth: number }
  | { name: string; easterOffset: number }
  | { name: string; after: string; days: number };

/** Danbury's paid holidays (City of Danbury and CT state calendars). */
export const CONNECTICUT_HOLIDAYS: readonly HolidayRule[] = [
  { name: "New Year's Day", month: 1, day: 1 },
  { name: 'Martin Luther King Jr. Day', month: 1, weekday: 1, nth: 3 },
  { name: "Lincoln's Birthday", month: 2, day: 12 },
  { name: "Washington's Birthday", month: 2, weekday: 1, nth: 3 },
  { name: 'Good Friday', easterOffset: -2 },
  { name: 'Memorial Day', month: 5, weekday: 1, nth: -1 },
  { name: 'Juneteenth', month: 6, day: 19 },
  { name: 'Independence Day', month: 7, day: 4 },
  { name: 'Labor Day', month: 9, weekday: 1, nth: 1 },
  { name: 'Columbus Day', month: 10, weekday: 1, nth: 2 },
  { name: 'Veterans Day', month: 11, day: 11 },
  { name: 'Thanksgiving', month: 11, weekday: 4, nth: 4 },
  { name: 'Day after Thanksgiving', after: 'Thanksgiving', days: 1 },
  { name: 'Christmas Day', month: 12, day: 25 },
];

const pad = (n: number): string => String(n).padStart(2, '0');

/** Easter Sunday (Gregorian), by the anonymous algorithm in Meeus. */
export function easter(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${pad(month)}-${pad(day)}`;
}

function nthWeekday(year: number, month: number, weekday: number, nth: number): string {
  if (nth > 0) {
    const first = `${year}-${pad(month)}-01`;
    const shift = (weekday - isoWeekday(first) + 7) % 7;
    return addDays(first, shift + 7 * (nth - 1));
  }
  const nextMonth = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
  const last = addDays(nextMonth, -1);
  return addDays(last, -((isoWeekday(last) - weekday + 7) % 7));
}

function observed(date: string): string {
  const wd = isoWeekday(date);
  return wd === 6 ? addDays(date, -1) : wd === 7 ? addDays(date, 1) : date;
}

/** The dates the city is closed in a year, as observed, with their names. */
export function holidaysOf(year: number, rules: readonly HolidayRule[] = CONNECTICUT_HOLIDAYS): Map<string, string> {
  const actual = new Map<string, string>();
  for (const r of rules) {
    if ('easterOffset' in r) actual.set(r.name, addDays(easter(year), r.easterOffset));
    else if ('after' in r) {
      const base = actual.get(r.after);
      if (base) actual.set(r.name, addDays(base, r.days));
    } else if ('nth' in r) actual.set(r.name, nthWeekday(year, r.month, r.weekday, r.nth));
    else actual.set(r.name, observed(`${year}-${pad(r.month)}-${pad(r.day)}`));
  }
  return new Map([...actual].map(([name, date]) => [date, name]));
}
