// Replies made by real mail clients' own reply functions (test/fixtures/replies/README.md says how each
// was made): the resident's words are kept wherever they typed them, quotes and attribution lines go.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractAuthoredText } from '../../src/mail/authored-text.ts';
import { parseMessage } from '../../src/mail/parse.ts';

const DIR = path.join(import.meta.dirname, '..', 'fixtures', 'replies');

async function authoredOf(file: string) {
  const parsed = await parseMessage(fs.readFileSync(path.join(DIR, file)), { maxAttachmentBytes: 1 << 20 });
  return extractAuthoredText(parsed.text);
}

describe('replies from real mail clients', () => {
  it.each([
    ['clients/mutt-bottom-thanks.eml', 'Thanks! The crew filled it this morning.'],
    ['clients/mutt-top-still-there.eml', 'It is still there and it got bigger after the rain.'],
    ['clients/neomutt-bottom-status.eml', 'What is the status?'],
    ['clients/neomutt-top-still-there.eml', 'It is still there and it got bigger after the rain.'],
    ['clients/mutt-bottom-es.eml', 'El bache sigue ahí, ahora es más grande.'],
    ['clients/mutt-bottom-pt.eml', 'O buraco continua lá, ficou maior depois da chuva.'],
    ['clients/aerc-bottom.eml', 'Thanks, it looks much better now!'],
    ['clients/aerc-top-still-there.eml', 'It is still there, it got bigger after the rain.'],
    ['clients/s-nail-bottom-tab.eml', 'The pothole is still there. Can someone look again?'],
    ['clients/s-nail-bottom-indentprefix.eml', 'Thanks, but it is 34 Padanaram Road, not 30.'],
    // Thunderbird (bottom-posted), Gmail, Apple Mail, iPhone, Outlook (top-posted): mailgun/talon's samples.
    ['talon/thunderbird.eml', 'Hello'],
    ['talon/gmail.eml', 'Hello'],
    ['talon/apple_mail.eml', 'Hello'],
    ['talon/iphone.eml', 'Hello'],
    ['talon/outlook.eml', 'Hello'],
  ])('%s: the resident wrote "%s"', async (file, words) => {
    const r = await authoredOf(file);
    expect(r.authored).toBe(words);
    expect(r.quoted).not.toBeNull();
    expect(r.authored).not.toMatch(/wrote:|escribió:|escreveu:|tracking number/);
  });

  it('alpine, bottom-posted under its signature: the words and the signature, not the quote', async () => {
    const r = await authoredOf('clients/alpine-bottom.eml');
    expect(r.authored).toMatch(/The pothole is back, please send the crew again\.$/);
    expect(r.authored).not.toMatch(/^>|Hello Maria|wrote:/m);
  });

  it('keeps an inline answer between quoted blocks and the text under the last one', async () => {
    const r = await authoredOf('clients/mutt-inline-correction.eml');
    expect(r.authored).toBe('It is in front of number 34, not 30.\n\nPlease send someone soon, two cars got flat tires.');
    expect(r.signature).toBe('-- \nMaria Santos\n14 Osborne St, Danbury CT');
  });

  it('a reply with nothing typed is empty, only its signature and quote remain', async () => {
    const r = await authoredOf('clients/neomutt-empty.eml');
    expect(r.authored).toBe('');
    expect(r.quoted).toMatch(/^On .* wrote:\n> Hello Maria/);
  });

  it('drops the attribution and quote in Spanish and Portuguese', async () => {
    expect((await authoredOf('clients/mutt-bottom-es.eml')).quoted).toMatch(/^El .* escribió:/);
    expect((await authoredOf('clients/mutt-bottom-pt.eml')).quoted).toMatch(/^Em .* escreveu:/);
  });
});
