// Pure parts of the staff app: escaping, the lockout rule, the sanitizer's handling of inline images.
import { describe, expect, it } from 'vitest';
import { html, trusted } from '../../src/web/html.ts';
import { lockedUntil, LOCKOUT_WINDOW_SECONDS, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP } from '../../src/web/lockout.ts';
import { sanitizeResidentHtml } from '../../src/web/sanitize.ts';

describe('html', () => {
  it('escapes every interpolated value, including inside arrays, and leaves Html alone', () => {
    const evil = `<img src=x onerror="a('b')">&\``;
    const out = html`<p title="${evil}">${evil}${[evil, html`<b>${evil}</b>`]}${trusted('<i>ok</i>')}${null}${false}${0}</p>`;
    expect(out.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;">' +
        '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;'.repeat(2) +
        '<b>&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;</b><i>ok</i>0</p>',
    );
  });
});

describe('lockedUntil', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const last = new Date('2026-11-26T11:55:00Z');
  it('allows sign-in below the thresholds', () => {
    expect(lockedUntil({ forEmail: MAX_FAILURES_PER_EMAIL - 1, fromIp: MAX_FAILURES_PER_IP - 1, lastFailure: last }, now)).toBeNull();
    expect(lockedUntil({ forEmail: 0, fromIp: 0, lastFailure: null }, now)).toBeNull();
  });
  it('locks for the window after the last failure once either threshold is reached', () => {
    const until = new Date(last.getTime() + LOCKOUT_WINDOW_SECONDS * 1000);
    expect(lockedUntil({ forEmail: MAX_FAILURES_PER_EMAIL, fromIp: 0, lastFailure: last }, now)).toEqual(until);
    expect(lockedUntil({ forEmail: 0, fromIp: MAX_FAILURES_PER_IP, lastFailure: last }, now)).toEqual(until);
    expect(lockedUntil({ forEmail: 99, fromIp: 99, lastFailure: last }, new Date(until.getTime() + 1))).toBeNull();
  });
});

describe('sanitizeResidentHtml', () => {
  it('points known Content-IDs at our attachment URL and blocks every other image', () => {
    const out = sanitizeResidentHtml('<img src="cid:a@x" alt="photo"><img src="cid:unknown@x"><img src="data:image/png;base64,AAAA"><img src="//cdn.example/p.gif">', new Map([['a@x', 7]]));
    expect(out).toBe('<img src="/attachments/7" alt="photo" />' + '<span class="blocked-image">[remote image not loaded]</span>'.repeat(3));
  });
  it('keeps links but makes them open apart, and drops script URLs', () => {
    expect(sanitizeResidentHtml('<a href="https://city.example/x">x</a><a href="javascript:alert(1)">y</a>', new Map())).toBe(
      '<a href="https://city.example/x" rel="noopener noreferrer nofollow" target="_blank">x</a><a rel="noopener noreferrer nofollow" target="_blank">y</a>',
    );
  });
});
