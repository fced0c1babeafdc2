import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/mail/address.ts';

describe('parseAddress: one valid addr-spec or nothing', () => {
  it.each([
    ['maria@example.com', 'maria@example.com'],
    ['  <Maria.Lopez@Example.COM> ', 'maria.lopez@example.com'],
    ['o\'brien+311@mail.example.org', 'o\'brien+311@mail.example.org'],
    ['x@xn--mnchen-3ya.de', 'x@xn--mnchen-3ya.de'],
    ['x@münchen.de', 'x@xn--mnchen-3ya.de'],
  ])('%s -> %s', (input, out) => {
    expect(parseAddress(input)).toBe(out);
  });

  it.each([
    '@@@',
    '<<<@@@>>> "unclosed',
    'v1@x.example>,<v2@x.example',
    'a@x.example, b@x.example',
    'a@x.example;b@x.example',
    '"quoted local"@x.example',
    'a b@x.example',
    'a@x.example\r\nBcc: victim@y.example',
    'nobody',
    'nobody@localhost',
    'a@[192.0.2.1]',
    'a@192.0.2.1',
    '.a@x.example',
    'a..b@x.example',
    'a@-x.example',
    'a@x..example',
    '',
    `${'a'.repeat(65)}@x.example`,
  ])('refuses %j', (input) => {
    expect(parseAddress(input)).toBeNull();
  });
});
