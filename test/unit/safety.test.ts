// What a resident is told about a danger, and the configuration it comes from.
import { describe, expect, it } from 'vitest';
import { EMERGENCY_HAZARDS, URGENT_HAZARDS } from '../../src/classify/urgency.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { safetyNotice } from '../../src/notify/safety.ts';

const LANGUAGES = ['en', 'es', 'pt'] as const;

describe('safetyNotice', () => {
  const lines = loadConfig({}).emergencyLines;

  it('tells every emergency to call 911, in every language, and gives the utility for wires and gas', () => {
    for (const hazard of EMERGENCY_HAZARDS) {
      for (const language of LANGUAGES) {
        const n = safetyNotice({ urgency: 'emergency', hazard }, language, lines);
        expect(n?.heading).toMatch(/911/);
        expect(n?.subjectPrefix).toMatch(/911/);
        const text = n?.lines.join('\n') ?? '';
        expect(text.includes('800-286-2000')).toBe(hazard === 'downed_wire');
        expect(text.includes('877-944-5325')).toBe(hazard === 'gas_leak');
        expect(text).toMatch({ en: /not an emergency channel/, es: /no es un canal de emergencias/, pt: /não é um canal de emergência/ }[language]);
      }
    }
    expect(safetyNotice({ urgency: 'emergency', hazard: 'downed_wire' }, 'en', lines)?.lines[0]).toMatch(/^Stay at least 30 feet/);
  });

  it('tells urgent hazards they were flagged for same-day attention, and routine requests nothing', () => {
    for (const hazard of URGENT_HAZARDS) {
      expect(safetyNotice({ urgency: 'urgent', hazard }, 'en', lines)?.lines[0]).toMatch(/same-day attention/);
      expect(safetyNotice({ urgency: 'urgent', hazard }, 'es', lines)?.lines[0]).toMatch(/hoy mismo/);
      expect(safetyNotice({ urgency: 'urgent', hazard }, 'pt', lines)?.lines[0]).toMatch(/ainda hoje/);
    }
    expect(safetyNotice({ urgency: 'routine', hazard: null }, 'en', lines)).toBeNull();
  });
});

describe('emergency configuration', () => {
  it('reads utility lines per hazard, "none", and the on-call address', () => {
    const c = loadConfig({ CITYLINE_EMERGENCY_LINES: 'water_main=Danbury Public Utilities:203-797-4637, gas_leak=Yankee Gas:800-989-0900', CITYLINE_ONCALL_EMAIL: 'OnCall@Danbury.example' });
    expect(c.emergencyLines).toEqual({ water_main: { name: 'Danbury Public Utilities', phone: '203-797-4637' }, gas_leak: { name: 'Yankee Gas', phone: '800-989-0900' } });
    expect(c.oncallEmail).toBe('oncall@danbury.example');
    expect(loadConfig({ CITYLINE_EMERGENCY_LINES: 'none' }).emergencyLines).toEqual({});
    expect(loadConfig({}).oncallEmail).toBeNull();
    const text = safetyNotice({ urgency: 'emergency', hazard: 'water_main' }, 'en', c.emergencyLines)?.lines.join(' ');
    expect(text).toContain('the Danbury Public Utilities emergency line at 203-797-4637');
  });

  it('refuses an unknown hazard or a bad address, naming the variable', () => {
    expect(() => loadConfig({ CITYLINE_EMERGENCY_LINES: 'flood=City:911' })).toThrow(ConfigError);
    expect(() => loadConfig({ CITYLINE_EMERGENCY_LINES: 'flood=City:911' })).toThrow(/CITYLINE_EMERGENCY_LINES/);
    expect(() => loadConfig({ CITYLINE_ONCALL_EMAIL: 'not an address' })).toThrow(/CITYLINE_ONCALL_EMAIL/);
  });
});
