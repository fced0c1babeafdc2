import { describe, expect, it } from 'vitest';
import { readAuthResults, senderAuthenticated, senderFailedAuthentication } from '../../src/mail/auth-results.ts';

describe('Authentication-Results', () => {
  it('reads spf, dkim and dmarc from the topmost header only', () => {
    const r = readAuthResults({
      'authentication-results': [
        'mx.danbury.gov; spf=pass smtp.mailfrom=highway@danbury.gov; dkim=fail (bad signature) header.d=danbury.gov; dkim=pass header.d=danbury.gov; dmarc=pass (p=reject) header.from=danbury.gov',
        'evil.example; dmarc=pass',
      ],
    });
    expect(r).toMatchObject({ authservId: 'mx.danbury.gov', trusted: false, spf: 'pass', dkim: 'pass', dmarc: 'pass', dkimPassDomains: ['danbury.gov'], dmarcFrom: 'danbury.gov' });
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

  it('believes a pass only from a trusted authserv-id, and only for the From it was about', () => {
    const headers = {
      'authentication-results': [
        'mx.danbury.gov; spf=softfail smtp.mailfrom=x@evil.example; dkim=none; dmarc=none',
        'evil.example; dmarc=pass header.from=danbury.gov; dkim=pass header.d=danbury.gov',
      ],
    };
    // The attacker's own header, lower down, names itself: ignored however it is worded.
    expect(senderAuthenticated(readAuthResults(headers, ['mx.danbury.gov']), 'highway@danbury.gov')).toBe(false);
    expect(senderAuthenticated(readAuthResults(headers, ['evil.example']), 'highway@danbury.gov')).toBe(true);
    // Without a configured server nothing is believed for the sender.
    expect(senderAuthenticated(readAuthResults({ 'authentication-results': 'mx.danbury.gov; dmarc=pass header.from=danbury.gov' }), 'highway@danbury.gov')).toBe(false);
    const ours = (v: string) => readAuthResults({ 'authentication-results': v }, ['mx.danbury.gov']);
    expect(senderAuthenticated(ours('mx.danbury.gov; dmarc=pass header.from=danbury.gov'), 'highway@danbury.gov')).toBe(true);
    expect(senderAuthenticated(ours('mx.danbury.gov; dmarc=pass header.from=other.example'), 'highway@danbury.gov')).toBe(false);
    expect(senderAuthenticated(ours('mx.danbury.gov; dkim=pass header.d=danbury.gov; dmarc=none'), 'highway@danbury.gov')).toBe(true);
    expect(senderAuthenticated(ours('mx.danbury.gov; dkim=pass header.d=danbury.gov'), 'crew@public-works.danbury.gov')).toBe(true);
    // A signature by another domain (a mailing list, a spammer's own) is not aligned with the From.
    expect(senderAuthenticated(ours('mx.danbury.gov; dkim=pass header.d=evil.example'), 'highway@danbury.gov')).toBe(false);
    expect(senderAuthenticated(ours('mx.danbury.gov; spf=pass smtp.mailfrom=danbury.gov'), 'highway@danbury.gov')).toBe(false);
  });
});
