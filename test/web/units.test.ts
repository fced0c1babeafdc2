// Pure parts of the staff app: escaping, the lockout rule, the sanitizer's handling of inline images.
import { describe, expect, it } from 'vitest';
import { html, trusted } from '../../src/web/html.ts';
import { CLIENT_WINDOW_SECONDS, delayAfter, FREE_FAILURES, lockedUntil, MAX_DELAY_SECONDS, MAX_FAILURES_PER_CLIENT } from '../../src/web/lockout.ts';
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
  const last = new Date('2026-11-26T11:59:50Z');
  const f = (forPair: number, fromClient = 0) => ({ forPair, lastPairFailure: forPair ? last : null, fromClient, lastClientFailure: fromClient ? last : null });
  it('lets the first few failures of an account from one client go without a wait', () => {
    expect(lockedUntil(f(0), now)).toBeNull();
    expect(lockedUntil(f(FREE_FAILURES), now)).toBeNull();
    expect(lockedUntil(f(0, MAX_FAILURES_PER_CLIENT - 1), now)).toBeNull();
  });
  it('then waits longer after each failure, never more than the maximum, and never for good', () => {
    expect(delayAfter(FREE_FAILURES + 1)).toBe(15);
    expect(delayAfter(FREE_FAILURES + 2)).toBe(30);
    expect(delayAfter(FREE_FAILURES + 3)).toBe(60);
    expect(delayAfter(1000)).toBe(MAX_DELAY_SECONDS);
    expect(lockedUntil(f(FREE_FAILURES + 1), now)).toEqual(new Date(last.getTime() + 15_000));
    expect(lockedUntil(f(FREE_FAILURES + 1), new Date(last.getTime() + 15_001))).toBeNull();
    expect(lockedUntil(f(1000), new Date(last.getTime() + MAX_DELAY_SECONDS * 1000 + 1))).toBeNull();
  });
  it('slows one client failing across many accounts', () => {
    expect(lockedUntil(f(0, MAX_FAILURES_PER_CLIENT), now)).toEqual(new Date(last.getTime() + CLIENT_WINDOW_SECONDS * 1000));
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
