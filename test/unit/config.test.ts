import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

describe('CITYLINE_LOG_LEVEL', () => {
  it('accepts pino levels in any case and defaults to info', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ CITYLINE_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ CITYLINE_LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
  });

  it('refuses anything else, naming the variable and the levels', () => {
    expect(() => loadConfig({ CITYLINE_LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ CITYLINE_LOG_LEVEL: 'verbose' })).toThrow(
      'CITYLINE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    );
  });
});
