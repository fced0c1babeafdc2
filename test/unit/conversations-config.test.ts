// Pure pieces of issue 11: when an answer is due, the routing file's questions / names / forwardReplies,
// and the phone hours setting.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { parseRouting } from '../../src/routing/rules.ts';
import { answerDueBy } from '../../src/time/business-days.ts';

const NY = 'America/New_York';
const day = (d: Date) => d.toISOString().slice(0, 10);

describe('answerDueBy', () => {
  it('counts business days in the city, skipping the weekend', () => {
    // Wednesday 2 Dec 2026, 10:00 in Danbury.
    expect(day(answerDueBy(new Date('2026-12-02T15:00:00Z'), 1, NY))).toBe('2026-12-03');
    // Friday -> Monday; Saturday -> Monday; Sunday night in Danbury (already Monday in UTC) -> Monday.
    expect(day(answerDueBy(new Date('2026-12-04T15:00:00Z'), 1, NY))).toBe('2026-12-07');
    expect(day(answerDueBy(new Date('2026-12-05T15:00:00Z'), 1, NY))).toBe('2026-12-07');
    expect(day(answerDueBy(new Date('2026-12-07T03:00:00Z'), 1, NY))).toBe('2026-12-07');
    expect(day(answerDueBy(new Date('2026-12-02T15:00:00Z'), 3, NY))).toBe('2026-12-07');
    // 0: the same day, or Monday when asked on a weekend.
    expect(day(answerDueBy(new Date('2026-12-02T15:00:00Z'), 0, NY))).toBe('2026-12-02');
    expect(day(answerDueBy(new Date('2026-12-05T15:00:00Z'), 0, NY))).toBe('2026-12-07');
  });
});

describe('routing file', () => {
  const shipped = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'config', 'routing.json'), 'utf8')) as Record<string, unknown>;

  it('reads questions, per-language names and forwardReplies', () => {
    const r = parseRouting(shipped, 'routing.json');
    expect(r.isQuestion('info_request')).toBe(true);
    expect(r.isQuestion('pothole')).toBe(false);
    expect(r.departments.get('highway')?.names.es).toBe('Obras Viales');
    expect(r.departments.get('highway')?.forwardReplies).toBe(false);
  });

  it('refuses what it cannot read, naming it', () => {
    const bad = (patch: Record<string, unknown>) => () => parseRouting({ ...shipped, ...patch }, 'routing.json');
    expect(bad({ questions: ['leaf_pickups'] })).toThrow(/"questions" must be a list of categories/);
    const departments = (shipped.departments as Record<string, unknown>[]).map((d) => (d.code === 'highway' ? { ...d, names: { fr: 'Voirie' } } : d));
    expect(bad({ departments })).toThrow(/highway "names" must map a language/);
    const forwarding = (shipped.departments as Record<string, unknown>[]).map((d) => (d.code === 'highway' ? { ...d, forwardReplies: 'yes' } : d));
    expect(bad({ departments: forwarding })).toThrow(/"forwardReplies" must be true or false/);
  });
});

describe('phone hours and answer time settings', () => {
  it('reads "mon-fri 08:00-16:30" and refuses anything else by name', () => {
    expect(loadConfig({ CITYLINE_PHONE_HOURS: 'mon-fri 08:00-16:30' }).phoneHours).toEqual({ fromDay: 1, toDay: 5, opens: '08:00', closes: '16:30' });
    expect(loadConfig({ CITYLINE_PHONE_HOURS: 'Sat 09:00-12:00' }).phoneHours).toEqual({ fromDay: 6, toDay: 6, opens: '09:00', closes: '12:00' });
    expect(loadConfig({}).phoneHours).toBeNull();
    expect(() => loadConfig({ CITYLINE_PHONE_HOURS: 'weekdays 8-5' })).toThrow(ConfigError);
    expect(() => loadConfig({ CITYLINE_PHONE_HOURS: 'fri-mon 08:00-16:30' })).toThrow(/CITYLINE_PHONE_HOURS/);
    expect(() => loadConfig({ CITYLINE_ANSWER_BUSINESS_DAYS: '-1' })).toThrow(/CITYLINE_ANSWER_BUSINESS_DAYS/);
    expect(loadConfig({ CITYLINE_PUBLIC_URL: 'https://311.danbury.gov/' }).publicUrl).toBe('https://311.danbury.gov');
  });
});
