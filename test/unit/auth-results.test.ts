import { describe, expect, it } from 'vitest';
import { readAuthResults, senderFailedAuthentication } from '../../src/mail/auth-results.ts';

describe('Authentication-Results', () => {
  it('reads spf, dkim and dmarc from the topmost header only', () => {
    const r = readAuthResults({
      'authentication-results': [
        'mx.danbury.gov; spf=pass smtp.mailfrom=highway@danbury.gov; dkim=fail (bad signature) header.d=danbury.gov; dkim=pass header.d=danbury.gov; dmarc=pass (p=reject) header.from=danbury.gov',
        'evil.example; dmarc=pass',
      ],
    });
    expect(r).toEqual({ authservId: 'mx.danbury.gov', spf: 'pass', dkim: 'pass', dmarc: 'pass' });
    expect(senderFailedAuthentication(r)).toBe(false);
  });

  it('is not fooled by a verdict inside a comment', () => {
    const r = readAuthResults({ 'authentication-results': 'outlook.com; dmarc=fail (dmarc=pass would be nice) header.from=danbury.gov' });
    expect(r?.dmarc).toBe('fail');
    expect(senderFailedAuthentication(r)).toBe(true);
  });

  it('judges forgery only on evidence', () => {
    expect(senderFailedAuthentication(null)).toBe(false);
    expect(senderFailedAuthentication(readAuthResults({ 'authentication-results': 'mx; spf=fail; dkim=none; dmarc=none' }))).toBe(true);
    expect(senderFailedAuthentication(readAuthResults({ 'authentication-results': 'mx; spf=softfail; dkim=none' }))).toBe(false);
    expect(senderFailedAuthentication(readAuthResults({ 'authentication-results': 'mx; spf=fail; dkim=pass' }))).toBe(false);
    expect(readAuthResults({})).toBeNull();
  });
});
