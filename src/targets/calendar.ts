// The city's working calendar: business hours in its time zone, less its holidays. Service targets are
// counted in this time, as 311 centres count them ("2 business days"), not in calendar hours.

export interface BusinessCalendar {
  readonly timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday ... 7 = Sunday. */
  readonly workdays: readonly number[];
  /** Minutes after local midnight when the working day starts and ends. */
  readonly startMinute: number;
  readonly endMinute: number;
  /** Local dates (YYYY-MM-DD) the city is closed, holidays as observed included. */
  isClosed(localDate: string): boolean;
}

interface LocalParts {
  date: string;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(instant: Date, timeZone: string): LocalParts & { second: number } {
  const p = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((x) => [x.type, x.value]));
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, weekday: isoWeekday(date), minute: Number(p.hour) * 60 + Number(p.minute), second: Number(p.second) };
}

export function isoWeekday(localDate: string): number {
  const d = new Date(`${localDate}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function addDays(localDate: string, days: number): string {
  const d = new Date(`${localDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The instant at `minute` minutes after midnight of a local date (DST handled by asking the zone twice). */
export function instantAt(localDate: string, minute: number, timeZone: string): Date {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, m - 1, d, Math.floor(minute / 60), minute % 60);
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const [py, pm, pd] = p.date.split('-').map(Number) as [number, number, number];
    const seen = Date.UTC(py, pm - 1, pd, Math.floor(p.minute / 60), p.minute % 60, p.second);
    guess += wanted - seen;
  }
  return new Date(guess);
}

export function localDateOf(instant: Date, timeZone: string): string {
  return localParts(instant, timeZone).date;
}

function isWorkingDay(cal: BusinessCalendar, localDate: string): boolean {
  return cal.workdays.includes(isoWeekday(localDate)) && !cal.isClosed(localDate);
}

/** The instant `minutes` of business time after `start` (work done outside business hours starts at the next opening). */
export function addBusinessMinutes(start: Date, minutes: number, cal: BusinessCalendar): Date {
  let { date, minute } = localParts(start, cal.timeZone);
  let left = Math.max(0, minutes);
  // A year of closed days in a row would mean a broken calendar; stop rather than loop forever.
  for (let guard = 0; guard < 3660; guard++) {
    if (isWorkingDay(cal, date) && minute < cal.endMinute) {
      const from = Math.max(minute, cal.startMinute);
      const available = cal.endMinute - from;
      if (left <= available) return instantAt(date, from + left, cal.timeZone);
      left -= available;
    }
    date = addDays(date, 1);
    minute = 0;
  }
  throw new Error(`no business time found within ten years of ${start.toISOString()}: is every day closed?`);
}

/** Business minutes from a to b (0 when b is not after a). */
export function businessMinutesBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  if (b <= a) return 0;
  const from = localParts(a, cal.timeZone);
  const to = localParts(b, cal.timeZone);
  let total = 0;
  for (let date = from.date, guard = 0; date <= to.date && guard < 3660 * 2; date = addDays(date, 1), guard++) {
    if (!isWorkingDay(cal, date)) continue;
    const lo = Math.max(cal.startMinute, date === from.date ? from.minute : 0);
    const hi = Math.min(cal.endMinute, date === to.date ? to.minute : 24 * 60);
    if (hi > lo) total += hi - lo;
  }
  return total;
}

export function minutesPerBusinessDay(cal: BusinessCalendar): number {
  return cal.endMinute - cal.startMinute;
}
