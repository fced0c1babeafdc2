// When a person's answer is due, in business days of the city's calendar.

const localDate = new Map<string, Intl.DateTimeFormat>();

function calendarDay(at: Date, timeZone: string): { y: number; m: number; d: number } {
  let f = localDate.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    localDate.set(timeZone, f);
  }
  const [y, m, d] = f.format(at).split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

/**
 * The day by which a question asked at `asked` is answered: the end of the `businessDays`-th business day
 * (Monday to Friday in the city's time zone) after it, or of the day itself (the next Monday on a weekend)
 * for 0. Returned as noon UTC of that day, which is the same calendar day in every US time zone.
 */
export function answerDueBy(asked: Date, businessDays: number, timeZone: string): Date {
  const { y, m, d } = calendarDay(asked, timeZone);
  const day = new Date(Date.UTC(y, m - 1, d, 12));
  const weekend = () => day.getUTCDay() === 0 || day.getUTCDay() === 6;
  let left = businessDays;
  if (left === 0) {
    while (weekend()) day.setUTCDate(day.getUTCDate() + 1);
    return day;
  }
  while (left > 0) {
    day.setUTCDate(day.getUTCDate() + 1);
    if (!weekend()) left--;
  }
  return day;
}
