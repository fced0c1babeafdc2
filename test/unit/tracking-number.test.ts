import { describe, expect, it } from 'vitest';
import { findTrackingNumbers, formatTrackingNumber, normalizeTrackingNumber } from '../../src/requests/tracking-number.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('tracking numbers', () => {
  it('are short and grow only after a million requests', () => {
    expect(formatTrackingNumber('DB', 1024)).toMatch(/^DB-[0-9A-Z]{5}$/);
    expect(formatTrackingNumber('DB', 32 ** 4 - 1)).toHaveLength(8);
    expect(formatTrackingNumber('DB', 32 ** 4)).toHaveLength(9);
  });

  it('round-trip, forgiving case, spaces and look-alike letters', () => {
    const n = formatTrackingNumber('DB', 1_000_000);
    expect(normalizeTrackingNumber('DB', n)).toBe(n);
    expect(normalizeTrackingNumber('DB', n.toLowerCase().replace('-', ' '))).toBe(n);
    const withZero = formatTrackingNumber('DB', 1024);
    expect(normalizeTrackingNumber('DB', withZero.replace(/0/g, 'O'))).toBe(withZero);
  });

  it('detect every single-character typo', () => {
    for (const seq of [1024, 5000, 77_777, 999_999]) {
      const n = formatTrackingNumber('DB', seq);
      const chars = n.slice(3);
      for (let i = 0; i < chars.length; i++) {
        for (const c of ALPHABET) {
          if (c === chars[i]) continue;
          const typo = `DB-${chars.slice(0, i)}${c}${chars.slice(i + 1)}`;
          expect(normalizeTrackingNumber('DB', typo), typo).toBeNull();
        }
      }
    }
  });

  it('detect swapped neighbouring characters', () => {
    let swaps = 0;
    let caught = 0;
    for (let seq = 1024; seq < 6024; seq += 7) {
      const chars = formatTrackingNumber('DB', seq).slice(3);
      for (let i = 0; i + 1 < chars.length; i++) {
        if (chars[i] === chars[i + 1]) continue;
        swaps++;
        const swapped = `DB-${chars.slice(0, i)}${chars[i + 1]}${chars[i]}${chars.slice(i + 2)}`;
        if (normalizeTrackingNumber('DB', swapped) === null) caught++;
      }
    }
    // Luhn mod N misses only the swap of the two characters whose values sum to N-1 across the fold.
    expect(caught / swaps).toBeGreaterThan(0.95);
  });

  it('are found in free text and subjects', () => {
    const a = formatTrackingNumber('DB', 2048);
    const b = formatTrackingNumber('DB', 4096);
    const text = `Re: Your request ${a} received. Also about ${b.toLowerCase()} and ${a}; not DB-ZZZZZ.`;
    expect(findTrackingNumbers('DB', text)).toEqual([a, b]);
  });
});
