// Business time as Danbury counts it: weekdays 08:30-16:30 Eastern, Connecticut holidays as observed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/index.ts';
import { easter, holidaysOf } from '../../src/targets/holidays.ts';
import { loadServiceTargets, parseServiceTargets } from '../../src/targets/service-targets.ts';

const targets = await loadServiceTargets(path.join(PROJECT_ROOT, 'config', 'service-targets.json'));

describe('holidays', () => {
  it('puts the moving ones on the right day', () => {
    expect(easter(2026)).toBe('2026-04-05');
    expect(easter(2027)).toBe('2027-03-28');
    const h2026 = holidaysOf(2026);
    expect(h2026.get('2026-01-19')).toBe('Martin Luther King Jr. Day');
    expect(h2026.get('2026-04-03')).toBe('Good Friday');
    expect(h2026.get('2026-05-25')).toBe('Memorial Day');
    expect(h2026.get('2026-09-07')).toBe('Labor Day');
    expect(h2026.get('2026-10-12')).toBe('Columbus Day');
    expect(h2026.get('2026-11-26')).toBe('Thanksgiving');
    expect(h2026.get('2026-11-27')).toBe('Day after Thanksgiving');
  });

  it('observes a Saturday holiday on Friday and a Sunday one on Monday, across the new year too', () => {
    expect(holidaysOf(2026).get('2026-07-03')).toBe('Independence Day');
    expect(holidaysOf(2027).get('2027-12-24')).toBe('Christmas Day');
    expect(holidaysOf(2028).get('2027-12-31')).toBe("New Year's Day");
    expect(targets.calendar.isClosed('2027-12-31')).toBe(true);
    expect(holidaysOf(2027).get('2027-07-05')).toBe('Independence Day');
  });
});

describe('due dates', () => {
  it('counts business hours: a Monday-morning pothole is due Wednesday at the same time', () => {
    expect(targets.dueAt('pothole', new Date('2026-11-23T15:00:00Z')).toISOString()).toBe('2026-11-25T15:00:00.000Z');
  });

  it('skips Thanksgiving, the day after and the weekend', () => {
    expect(targets.dueAt('pothole', new Date('2026-11-25T15:00:00Z')).toISOString()).toBe('2026-12-01T15:00:00.000Z');
  });

  it('starts the clock at the next opening for mail sent at night or at the weekend', () => {
    // Saturday 28 Nov: the clock starts Monday 08:30; 16 business hours end Tuesday 16:30.
    expect(targets.dueAt('pothole', new Date('2026-11-28T17:00:00Z')).toISOString()).toBe('2026-12-01T21:30:00.000Z');
    // 23:00 on a Monday counts from Tuesday 08:30.
    expect(targets.dueAt('dead_animal', new Date('2026-11-24T04:00:00Z')).toISOString()).toBe('2026-11-24T21:30:00.000Z');
  });

  it('keeps local time across the end of daylight saving', () => {
    // Friday 30 Oct 15:00 EDT; DST ends Sunday 1 Nov; due Tuesday 3 Nov 15:00 EST.
    expect(targets.dueAt('pothole', new Date('2026-10-30T19:00:00Z')).toISOString()).toBe('2026-11-03T20:00:00.000Z');
  });

  it('measures lateness in business days', () => {
    const due = new Date('2026-11-25T15:00:00Z');
    expect(targets.businessDaysBetween(due, new Date('2026-11-30T15:00:00Z'))).toBe(1);
    expect(targets.escalateAt(due).toISOString()).toBe('2026-12-01T15:00:00.000Z');
  });
});

describe('the targets file', () => {
  const good = { timeZone: 'America/New_York', businessHours: { workdays: [1, 2, 3, 4, 5], start: '08:30', end: '16:30' }, holidays: 'none', targets: Object.fromEntries(Object.keys(targets.businessDays).map((c) => [c, { businessDays: 1 }])) };

  it('says what is wrong with it', () => {
    expect(() => parseServiceTargets({ ...good, timeZone: 'Mars/Olympus' }, 'f.json')).toThrow('service targets file f.json: "timeZone" "Mars/Olympus" is not a time zone');
    expect(() => parseServiceTargets({ ...good, businessHours: { ...good.businessHours, end: '07:00' } }, 'f.json')).toThrow('businessHours.end must be after businessHours.start');
    expect(() => parseServiceTargets({ ...good, targets: { ...good.targets, pothole: {} } }, 'f.json')).toThrow('targets.pothole.businessDays must be');
    expect(() => parseServiceTargets({ ...good, targets: { ...good.targets, potholes: { businessDays: 1 } } }, 'f.json')).toThrow('targets.potholes is not a category');
    expect(() => parseServiceTargets({ ...good, closures: ['tomorrow'] }, 'f.json')).toThrow('"closures" must list dates');
  });

  it('takes the city closures it lists', () => {
    const t = parseServiceTargets({ ...good, closures: ['2026-11-24'] }, 'f.json');
    // Monday 10:00 + one business day, Tuesday closed: due Wednesday 10:00.
    expect(t.dueAt('pothole', new Date('2026-11-23T15:00:00Z')).toISOString()).toBe('2026-11-25T15:00:00.000Z');
  });
});
