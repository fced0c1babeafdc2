import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractAuthoredText } from '../../src/mail/authored-text.ts';

const DIR = path.join(import.meta.dirname, '..', 'fixtures', 'replies');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');

// Most crisp fixtures are one Latin paragraph followed by a quote header in some language and mail client.
const LOREM_END = 'Fusce sed odio id arcu varius aliquet nec nec nibh.';

describe('extractAuthoredText on real reply fixtures', () => {
  const quoted = [
    'email_portuguese.txt', // "Em 10 de julho de 2017 às 16:32:35, ... escreveu:" over two lines
    'email_german_outlook.txt', // -----Ursprüngliche Nachricht----- / Von: / An:
    'email_german_2.txt', // Von: / Gesendet:
    'email_ios_outlook.txt', // "Get Outlook for iOS" then an underscore rule and From:/Sent:
    'email_ios_outlook_fr.txt',
    'email_gmail_split_line_from.txt', // "On ... <" with the address wrapped onto the next line
    'email_outlook_split_line_from.txt',
    'email_original_message.txt', // -----original message-----
    'email_french_dash_separator.txt', // -------- Message d'origine --------
    'email_danish_dash_separator.txt',
    'email_fr_multiline.txt', // "Le lun. 15 nov. 2021 à 19:42, ... a écrit :"
    'email_norwegian_gmail.txt', // "tir. 18. apr. 2017 kl. 13:09 skrev ... <" + ">:"
    'email_8.txt', // Dutch "Op ... schreef ... <" wrapped
    'email_italian.txt', // "In data ... ha scritto:"
    'email_russian.txt',
    'email_22.txt', // a bare date and address header with no verb
    'email_23.txt',
  ];
  it.each(quoted)('%s: keeps the reply, cuts the quoted message', (name) => {
    const r = extractAuthoredText(read(`crisp/${name}`));
    expect(r.authored.startsWith('Fusce bibendum')).toBe(true);
    expect(r.authored.endsWith(LOREM_END)).toBe(true);
    expect(r.quoted).not.toBeNull();
  });

  it('cuts a forwarded message at its header and keeps the note above it', () => {
    const r = extractAuthoredText(read('crisp/email_tricky_17_forward_header.txt'));
    expect(r.authored).toBe('See the forwarded message below.');
    expect(r.quoted).toMatch(/^-+ Forwarded message -+/);
  });

  it('cuts a Zoho "---- On ... wrote ----" header', () => {
    const r = extractAuthoredText(read('crisp/email_zoho.txt'));
    expect(r.authored).not.toMatch(/wrote/);
    expect(r.quoted).toMatch(/^---- On/);
  });

  it('cuts an Outlook From:/Sent: block and a French De :/À : block', () => {
    expect(extractAuthoredText(read('github/email_2_3.txt')).authored).toBe('Outlook with a reply directly above line');
    expect(extractAuthoredText(read('github/email_2_2.txt')).authored).toBe('Outlook with a reply directly above line');
    const fr = extractAuthoredText(read('crisp/email_customer_quote_header_3.txt'));
    expect(fr.authored).toMatch(/merci d'avance$/);
    expect(fr.quoted).toMatch(/^De :/);
  });

  it('keeps sentences that only look like headers or signatures', () => {
    for (const name of ['email_tricky_1_on_false_positive.txt', 'email_tricky_4_from_in_body.txt', 'email_tricky_6_regards_in_sentence.txt', 'email_tricky_8_sent_from_in_content.txt', 'email_tricky_13_timestamp_variations.txt']) {
      const r = extractAuthoredText(read(`crisp/${name}`));
      expect(r.quoted, name).toBeNull();
      expect(r.signature, name).toBeNull();
    }
    const mid = extractAuthoredText(read('github/email_sig_delimiter_in_middle_of_line.txt'));
    expect(mid.authored).toMatch(/here is a fix -- this is not a signature/);
    expect(extractAuthoredText(read('github/email_sent_from_my_not_signature.txt')).authored).toMatch(/Sent from my desk/);
  });

  it('removes phone signatures and "-- " signatures', () => {
    for (const [name, sig] of [
      ['github/email_iPhone.txt', 'Sent from my iPhone'],
      ['github/email_BlackBerry.txt', 'Sent from my BlackBerry'],
      ['github/email_multi_word_sent_from_my_mobile_device.txt', 'Sent from my Verizon Wireless BlackBerry'],
    ] as const) {
      const r = extractAuthoredText(read(name));
      expect(r.authored).toBe('Here is another email');
      expect(r.signature).toBe(sig);
    }
    const dashes = extractAuthoredText(read('github/correct_sig.txt'));
    expect(dashes.authored).toBe('this is an email with a correct -- signature.');
    expect(dashes.signature).toMatch(/^-- \nrick/);
  });

  it('takes a closing and the name below it as signature', () => {
    const r = extractAuthoredText(read('crisp/email_with_regards.txt'));
    expect(r.authored).toMatch(/Can you help\?$/);
    expect(r.signature).toMatch(/^Regards,/);
  });
});

describe('extractAuthoredText on residents\' messages', () => {
  it('separates a name-and-address block from the report', () => {
    const r = extractAuthoredText('There is a pothole in front of my house, please fix it.\n\nMaria Santos\n14 Osborne St\nDanbury, CT 06810\n(203) 555-0114');
    expect(r.authored).toBe('There is a pothole in front of my house, please fix it.');
    expect(r.signature).toBe('Maria Santos\n14 Osborne St\nDanbury, CT 06810\n(203) 555-0114');
  });

  it.each([
    ['Enviado desde mi iPhone', 'Hay un bache en la calle Main.'],
    ['Enviado do meu iPhone', 'Tem um buraco na rua Liberty.'],
    ['Sent from my Galaxy', 'Streetlight out on Elm St.'],
  ])('removes "%s"', (device, report) => {
    const r = extractAuthoredText(`${report}\n\n${device}`);
    expect(r.authored).toBe(report);
    expect(r.signature).toBe(device);
  });

  it('takes a Spanish closing with the sender\'s address as signature, and the quoted thread below', () => {
    const r = extractAuthoredText(
      'Todavía no han arreglado el bache.\n\nGracias,\nLuis Ramírez\n21 Ives St\n\nEl lun, 3 nov 2025 a las 9:14, CityLine 311 <cityline311@danbury.example> escribió:\n> Recibimos su solicitud DB-1234',
    );
    expect(r.authored).toBe('Todavía no han arreglado el bache.');
    expect(r.signature).toBe('Gracias,\nLuis Ramírez\n21 Ives St');
    expect(r.quoted).toMatch(/^El lun, 3 nov 2025/);
  });

  it('leaves a message with nothing to strip unchanged', () => {
    const text = 'the big hole on padanarm by the gas station is back!!';
    expect(extractAuthoredText(text)).toEqual({ authored: text, signature: null, quoted: null });
  });
});
