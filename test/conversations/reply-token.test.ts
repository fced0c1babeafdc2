import { describe, expect, it } from 'vitest';
import { messageIdFor, replyAddressFor, requestIdFromMessageId, requestIdFromReplyAddress } from '../../src/mail/reply-token.ts';

const FROM = 'cityline311@danbury.example';
const SECRET = 'test-secret-3f9a';
const DOMAIN = 'danbury.example';

describe('reply addresses', () => {
  it('plus-address our own address with the request id and a 50-bit MAC', () => {
    const a = replyAddressFor(FROM, 123, SECRET);
    expect(a).toMatch(/^cityline311\+r123-k[a-z2-7]{10}@danbury\.example$/);
    expect(replyAddressFor(FROM, 123, SECRET)).toBe(a);
    expect(replyAddressFor(FROM, 124, SECRET)).not.toBe(a);
  });

  it('round-trip, forgiving case and a display name', () => {
    for (const id of [1, 123, 98_765_432]) {
      const a = replyAddressFor(FROM, id, SECRET);
      expect(requestIdFromReplyAddress(a, FROM, SECRET)).toBe(id);
      expect(requestIdFromReplyAddress(a.toUpperCase(), FROM, SECRET)).toBe(id);
      expect(requestIdFromReplyAddress(`"CityLine 311" <${a}>`, 'CityLine311@Danbury.Example', SECRET)).toBe(id);
    }
  });

  it('reject a changed request id, a MAC reused from another request and another secret', () => {
    const a = replyAddressFor(FROM, 123, SECRET);
    const macOf = (addr: string) => /-k([a-z2-7]+)@/.exec(addr)?.[1];
    expect(requestIdFromReplyAddress(a.replace('+r123-', '+r124-'), FROM, SECRET)).toBeNull();
    expect(requestIdFromReplyAddress(a.replace('+r123-', '+r1230-'), FROM, SECRET)).toBeNull();
    const other = replyAddressFor(FROM, 77, SECRET);
    expect(requestIdFromReplyAddress(`cityline311+r123-k${macOf(other)}@danbury.example`, FROM, SECRET)).toBeNull();
    expect(requestIdFromReplyAddress(a, FROM, 'another-secret')).toBeNull();
    expect(requestIdFromReplyAddress(replyAddressFor(FROM, 123, 'another-secret'), FROM, SECRET)).toBeNull();
  });

  it('reject every single-character change of the MAC', () => {
    const a = replyAddressFor(FROM, 5, SECRET);
    const k = macOfAddress(a);
    for (let i = 0; i < k.length; i++) {
      const changed = k.slice(0, i) + (k[i] === 'a' ? 'b' : 'a') + k.slice(i + 1);
      expect(requestIdFromReplyAddress(a.replace(k, changed), FROM, SECRET)).toBeNull();
    }
  });

  it('reject another local part or domain, a missing tag and leading zeros', () => {
    const a = replyAddressFor(FROM, 123, SECRET);
    expect(requestIdFromReplyAddress(a.replace('cityline311+', 'someone+'), FROM, SECRET)).toBeNull();
    expect(requestIdFromReplyAddress(a.replace('@danbury.example', '@danbury.example.evil.test'), FROM, SECRET)).toBeNull();
    expect(requestIdFromReplyAddress(a, 'cityline311@other.example', SECRET)).toBeNull();
    expect(requestIdFromReplyAddress(FROM, FROM, SECRET)).toBeNull();
    expect(requestIdFromReplyAddress(a.replace('+r123-', '+r0123-'), FROM, SECRET)).toBeNull();
    expect(requestIdFromReplyAddress('not an address', FROM, SECRET)).toBeNull();
  });

  it('refuse to build from bad input', () => {
    expect(() => replyAddressFor(FROM, 0, SECRET)).toThrow(RangeError);
    expect(() => replyAddressFor(FROM, 1.5, SECRET)).toThrow(RangeError);
    expect(() => replyAddressFor('cityline311+x@danbury.example', 1, SECRET)).toThrow(/plus-address/);
    expect(() => replyAddressFor(FROM, 1, '')).toThrow(/secret/);
  });
});

function macOfAddress(a: string): string {
  const k = /-k([a-z2-7]+)@/.exec(a)?.[1];
  if (!k) throw new Error(`no MAC in ${a}`);
  return k;
}

describe('Message-IDs', () => {
  it('name the request, are unique per nonce and carry a MAC', () => {
    const id = messageIdFor(123, 'c0ffee12', SECRET, DOMAIN);
    expect(id).toMatch(/^r123\.c0ffee12\.[a-z2-7]{13}@danbury\.example$/);
    expect(messageIdFor(123, 'c0ffee13', SECRET, DOMAIN)).not.toBe(id);
    expect(messageIdFor(123, 'c0ffee12', SECRET, DOMAIN)).toBe(id);
    expect(messageIdFor(null, 'c0ffee12', SECRET, DOMAIN)).toMatch(/^n\.c0ffee12\.[a-z2-7]{13}@danbury\.example$/);
  });

  it('round-trip with or without angle brackets, in any case', () => {
    const id = messageIdFor(42, 'ab-12', SECRET, DOMAIN);
    expect(requestIdFromMessageId(id, SECRET, DOMAIN)).toBe(42);
    expect(requestIdFromMessageId(`<${id}>`, SECRET, DOMAIN)).toBe(42);
    expect(requestIdFromMessageId(id.toUpperCase(), SECRET, 'Danbury.Example')).toBe(42);
  });

  it('reject forgeries: changed id, MAC from another request or nonce, other secret or domain', () => {
    const id = messageIdFor(42, 'ab12', SECRET, DOMAIN);
    const [, nonce, mac] = /^r\d+\.([^.]+)\.([^@]+)@/.exec(id) ?? [];
    expect(requestIdFromMessageId(id.replace(/^r42\./, 'r43.'), SECRET, DOMAIN)).toBeNull();
    expect(requestIdFromMessageId(`r43.${nonce}.${mac}@${DOMAIN}`, SECRET, DOMAIN)).toBeNull();
    expect(requestIdFromMessageId(`r42.ab13.${mac}@${DOMAIN}`, SECRET, DOMAIN)).toBeNull();
    expect(requestIdFromMessageId(id, 'another-secret', DOMAIN)).toBeNull();
    expect(requestIdFromMessageId(id.replace(DOMAIN, 'evil.test'), SECRET, 'evil.test')).toBeNull();
    expect(requestIdFromMessageId(id, SECRET, 'other.example')).toBeNull();
    // A reply address MAC is not a Message-ID MAC, even for the same request.
    const addressMac = macOfAddress(replyAddressFor(FROM, 42, SECRET));
    expect(requestIdFromMessageId(`r42.ab12.${addressMac}xyz@${DOMAIN}`, SECRET, DOMAIN)).toBeNull();
  });

  it('give no request for mail about none, or for ids others made', () => {
    expect(requestIdFromMessageId(messageIdFor(null, 'ab12', SECRET, DOMAIN), SECRET, DOMAIN)).toBeNull();
    expect(requestIdFromMessageId('CAByYQsEVA+zJMnugH3M98xXcDj5XHp8HYsGtb5@mail.gmail.com', SECRET, DOMAIN)).toBeNull();
    expect(requestIdFromMessageId('', SECRET, DOMAIN)).toBeNull();
  });

  it('refuse nonces that would break the id', () => {
    expect(() => messageIdFor(1, 'has.dot', SECRET, DOMAIN)).toThrow(RangeError);
    expect(() => messageIdFor(1, '', SECRET, DOMAIN)).toThrow(RangeError);
    expect(() => messageIdFor(1, 'x'.repeat(65), SECRET, DOMAIN)).toThrow(RangeError);
  });
});
