import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAutomated, type AutomatedVerdict } from '../../src/mail/automated.ts';
import { parseMessage } from '../../src/mail/parse.ts';
import { messageIdFor, requestIdFromMessageId } from '../../src/mail/reply-token.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'bounces');
const SECRET = 'automated-test-secret-0123456789';
const OUR_ID = messageIdFor(12, 'confirmation-12', SECRET, 'danbury.example');
const OPTS = {
  ourAddresses: ['cityline311@danbury.example'],
  isOurMessageId: (id: string) => requestIdFromMessageId(id, SECRET, 'danbury.example') !== null,
};

async function parsedFor(raw: Buffer) {
  return parseMessage(raw, { maxAttachmentBytes: 10 * 1024 * 1024 });
}

function files(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.eml'))
    .sort();
}

async function detectFile(dir: string, file: string): Promise<AutomatedVerdict | null> {
  const raw = readFileSync(path.join(FIXTURES, dir, file));
  return detectAutomated({ raw, parsed: await parsedFor(raw) }, OPTS);
}

async function detectRaw(text: string): Promise<AutomatedVerdict | null> {
  const raw = Buffer.from(text.replace(/\n/g, '\r\n'));
  return detectAutomated({ raw, parsed: await parsedFor(raw) }, OPTS);
}

function mail(headers: Record<string, string>, body = 'There is a pothole in front of 12 Main Street.\n'): string {
  const all = {
    From: 'Maria Lopez <maria@example.net>',
    To: 'cityline311@danbury.example',
    Subject: 'Pothole on Main Street',
    'Message-ID': '<abc123@mail.example.net>',
    Date: 'Thu, 26 Nov 2026 09:00:00 -0500',
    ...headers,
  };
  return `${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n${body}`;
}

const BSD = 'sisimai/bsd';

// What each sample reports, read off its Final-Recipient/Action/Status fields (or, for the three
// plain-text bounces without them, off the prose). [file, recipient, permanent, status]
const DSN_EXPECTED: Array<[string, string, boolean, string | null]> = [
  ['rfc3464-01.eml', 'userunknown@bouncehammer.jp', true, '5.1.1'],
  ['rfc3464-03.eml', 'kijitora@example.com', true, '5.0.0'],
  ['rfc3464-04.eml', 'kijitora@mailx-53.neko.example.edu', true, '5.5.0'],
  ['rfc3464-06.eml', 'kijitora@example.net', true, '5.5.0'],
  ['rfc3464-07.eml', 'kijitora@example.net', false, '4.4.0'],
  ['rfc3464-08.eml', 'kijitora@example.net', true, '5.7.1'],
  ['rfc3464-09.eml', 'kijitora-cat@mx4.gr3.example.jp', false, '4.3.0'],
  ['rfc3464-10.eml', 'kijitora@example.jp', true, '5.1.6'],
  ['rfc3464-26.eml', 'kijitora@example.or.jp', true, '5.1.1'],
  // A success report ("deliverable"): still machine mail, never a hard bounce.
  ['rfc3464-28.eml', 'kijitora@neko.example.jp', false, '2.1.5'],
  ['rfc3464-29.eml', 'kijitora@example.com', true, '5.5.0'],
  ['rfc3464-34.eml', 'kijitora@example.com', false, '4.4.1'],
  ['rfc3464-35.eml', 'kijitora@nyaan.example.com', true, '5.0.0'],
  // Action: failed with a 4.x.x status: the MTA gave up, but the address may well be good.
  ['rfc3464-36.eml', 'kijitora@nyaan.example.com', false, '4.0.0'],
  ['rfc3464-37.eml', 'kijitora@neko.nyaan.example.com', false, null],
  ['rfc3464-38.eml', 'kijitora-nyaan@example.jp', false, null],
  ['rfc3464-39.eml', 'kijitora@nyaan.example.net', false, null],
  ['rfc3464-40.eml', 'kijitora@nyaan.neko.example.com', false, '4.4.6'],
  ['rfc3464-42.eml', 'jane.doe@some-domain.net', true, '5.0.0'],
  ['rfc3464-43.eml', 'jp1rb6cm3@mozmail.com', false, '4.3.0'],
  ['rfc3464-51.eml', 'kijitora@example.de', true, '5.0.0'],
  ['rfc3464-52.eml', 'neko@libsisimai.org', false, '4.0.0'],
  ['rfc3464-53.eml', 'sironeko@example.jp', false, '4.0.0'],
  ['rfc3464-54.eml', 'sotoneko@haineko.org', false, '4.0.0'],
  ['rfc3464-55.eml', 'sotoneko@nora.nyaan.jp', false, '4.4.1'],
  ['rfc3464-56.eml', 'siro@neko1.nyaan.jp', false, '4.4.1'],
  ['rfc3464-57.eml', 'otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp', true, '5.0.0'],
  ['rfc3464-58.eml', 'otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp', true, '5.0.0'],
  ['rfc3464-59.eml', 'neko@libsisimai.org', false, '4.0.0'],
  ['rfc3464-60.eml', 'kijitora@example.jp', true, '5.1.8'],
  ['rfc3464-61.eml', 'kijitora@example.com', true, '5.0.0'],
  ['rfc3464-62.eml', 'nekonyaan@gmal.com', false, '4.0.0'],
  ['rfc3464-63.eml', 'libsisimai-2@googlegroups.com', true, '5.1.1'],
  ['rfc3464-64.eml', 'maildebug@example.jpn', false, '4.0.0'],
  ['rfc3464-65.eml', 'kijitora@example.it', true, '5.0.0'],
  ['rfc3464-66.eml', 'mikeneko@example.com', true, '5.0.0'],
];

// Amazon SNS notifications carry a bounce as JSON in a plain notification email; they reach only
// SES customers who subscribe an inbox to SNS, which the city does not, so they are not read.
const SNS_JSON_NOTIFICATIONS = ['09', '10', '11', '12', '13'].map((n) => `lhost-amazonses-${n}.eml`);

describe('detectAutomated on real delivery status notifications', () => {
  it('covers every rfc3464 sample copied', () => {
    expect(DSN_EXPECTED.map(([f]) => f)).toEqual(files(BSD, 'rfc3464-'));
  });

  it.each(DSN_EXPECTED)('%s is a bounce for %s (permanent=%s, status %s)', async (file, recipient, permanent, status) => {
    const v = await detectFile(BSD, file);
    expect(v?.kind).toBe('bounce');
    expect(v?.bounce).toMatchObject({ recipient, permanent, status });
  });

  it('finds the Message-ID of the returned message', async () => {
    const cases: Array<[string, string | null]> = [
      ['rfc3464-01.eml', 'E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org'],
      ['rfc3464-04.eml', '00000000000.000000@mx4.example.co.jp'],
      ['rfc3464-34.eml', '20170429233445.FFFFFFFF02@smtp.neko.example.org'],
      ['rfc3464-37.eml', 'ffffffffffff000000002222000000000@e3.example.com'],
      ['rfc3464-63.eml', '144493c0-8548-4b2b-987f-ae719df82545@Spark'],
      ['rfc3464-38.eml', null],
    ];
    for (const [file, id] of cases) expect((await detectFile(BSD, file))?.bounce?.originalMessageId, file).toBe(id);
  });

  it('reads the bounces of big providers (Gmail, Office 365, Outlook, Yahoo, SES, Exchange)', async () => {
    const samples = files(BSD).filter((f) => /^[lr]host-/.test(f) && !SNS_JSON_NOTIFICATIONS.includes(f));
    expect(samples.length).toBeGreaterThan(80);
    for (const f of samples) {
      const v = await detectFile(BSD, f);
      expect(v?.kind, f).toBe('bounce');
    }
  });

  it('takes the recipient from X-Failed-Recipients when the report part is empty', async () => {
    const v = await detectFile(BSD, 'lhost-googleworkspace-01.eml');
    expect(v?.bounce?.recipient).toBe('neko-nyaan-cat-meeting@google-groups.example.com');
  });

  it('reads DSNs from other test suites, with the failed recipient of a multi-recipient report', async () => {
    const expected: Array<[string, string, boolean]> = [
      ['mailparser-delivery-status.eml', 'xxxx@xxxx.com', true],
      ['mikel-mail-report_422.eml', 'fraser@oooooooo.com.au', false],
      ['mikel-mail-report_530.eml', 'edwin@zzzzzzz.com', true],
      ['mikel-mail-multipart_report_multiple_status.eml', 'u@ci.com', true],
      ['postal-mime-bounce.eml', 'htfgvhyufthdgcvhgjyfthgc@ethereal.email', true],
    ];
    for (const [file, recipient, permanent] of expected) {
      const v = await detectFile('other', file);
      expect(v?.kind, file).toBe('bounce');
      expect(v?.bounce, file).toMatchObject({ recipient, permanent });
    }
  });
});

describe('detectAutomated on real auto-replies and feedback reports', () => {
  it.each(files(BSD, 'rfc3834-'))('%s is an auto-reply', async (file) => {
    expect((await detectFile(BSD, file))?.kind).toBe('auto_reply');
  });

  it.each(files(BSD, 'arf-'))('%s is a feedback report', async (file) => {
    expect((await detectFile(BSD, file))?.kind).toBe('feedback_report');
  });

  it('reads the postal-mime ARF sample too', async () => {
    expect((await detectFile('other', 'postal-mime-arf.eml'))?.kind).toBe('feedback_report');
  });
});

describe('detectAutomated leaves people alone', () => {
  it.each(files('residents'))('%s is not flagged', async (file) => {
    expect(await detectFile('residents', file)).toBeNull();
  });

  it.each(['is-not-bounce-01.eml', 'is-not-bounce-02.eml'])('sisimai negative control %s is not flagged', async (file) => {
    expect(await detectFile('sisimai/not', file)).toBeNull();
  });

  it('flags the postmaster notice sisimai files under not/ (it is not an RFC bounce, but a machine wrote it)', async () => {
    const v = await detectFile('sisimai/not', 'rb-issue-368-bug.eml');
    expect(v?.kind).toBe('bounce');
    expect(v?.bounce).toMatchObject({ recipient: 'xxxx@yyyyyy.net', permanent: false });
  });

  it('does not take reports that mention an office or a failure for automated mail', async () => {
    for (const subject of [
      'Graffiti on the post office',
      'Office building on Main St has a broken sidewalk',
      'Re: pothole - delivery truck damaged',
      'Undeliverable mail truck blocking Elm Street',
      'Ausencia de luz en la calle Main',
    ]) {
      expect(await detectRaw(mail({ Subject: subject })), subject).toBeNull();
    }
  });

  it('needs a machine signal besides a bounce subject', async () => {
    expect(await detectRaw(mail({ Subject: 'Undeliverable: my last message to you' }))).toBeNull();
    const v = await detectRaw(mail({ Subject: 'Undeliverable: Your request', 'Return-Path': '<>' }));
    expect(v?.kind).toBe('bounce');
  });

  it('treats Auto-Submitted: no as a person', async () => {
    expect(await detectRaw(mail({ 'Auto-Submitted': 'no' }))).toBeNull();
  });
});

describe('detectAutomated header and subject rules', () => {
  it.each([
    ['Auto-Submitted', 'auto-generated'],
    ['Auto-Submitted', 'auto-replied; owner-email="x@example.net"'],
    ['X-Autoreply', 'yes'],
    ['X-Autorespond', 'Out of office'],
    ['X-Auto-Response-Suppress', 'All'],
    ['Precedence', 'auto_reply'],
  ])('%s: %s is an auto-reply', async (name, value) => {
    expect((await detectRaw(mail({ [name]: value })))?.kind).toBe('auto_reply');
  });

  it.each([
    ['Precedence', 'bulk'],
    ['Precedence', 'junk'],
    ['Precedence', 'list'],
    ['List-Id', 'Neighbours <neighbours.lists.example.net>'],
    ['List-Unsubscribe', '<mailto:leave@lists.example.net>'],
  ])('%s: %s is bulk', async (name, value) => {
    expect((await detectRaw(mail({ [name]: value })))?.kind).toBe('bulk');
  });

  it.each([
    'Out of Office: Pothole on Main Street',
    'Automatic reply: Your request DB-100A7',
    'Auto: Your request DB-100A7',
    'Autoreply: Your request',
    'Auto Reply: Your request',
    '[EXTERNAL] Out of office',
    'Fuera de la oficina: Su solicitud DB-100A7',
    'Respuesta automática: Su solicitud',
    'Ausente: Su solicitud',
    'Ausência temporária: Sua solicitação',
    'Resposta automática: Sua solicitação',
    'Fora do escritório: Sua solicitação DB-100A7',
  ])('out-of-office subject "%s"', async (subject) => {
    expect((await detectRaw(mail({ Subject: subject })))?.kind).toBe('auto_reply');
  });

  it('reads an encoded Spanish out-of-office subject', async () => {
    const v = await detectRaw(mail({ Subject: '=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Su_solicitud?=' }));
    expect(v?.kind).toBe('auto_reply');
  });
});

describe('detectAutomated recognises our own mail', () => {
  it('by From, including our plus-addressed reply addresses, case-insensitively', async () => {
    for (const from of ['CityLine311@Danbury.example', 'cityline311+r12-abcdefghij@danbury.example']) {
      expect((await detectRaw(mail({ From: from })))?.kind, from).toBe('own_mail');
    }
    expect(await detectRaw(mail({ From: 'cityline311@elsewhere.example' }))).toBeNull();
  });

  it('by a Message-ID we issued, not by any Message-ID at our domain', async () => {
    const v = await detectRaw(mail({ 'Message-ID': `<${OUR_ID}>` }));
    expect(v?.kind).toBe('own_mail');
    // A department's mail server at the city's domain: a person's reply, not our mail.
    expect(await detectRaw(mail({ 'Message-ID': '<r12.n0nce.mac@danbury.example>' }))).toBeNull();
  });

  it('ties a bounce to the message we sent, wherever the report names it', async () => {
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      'To: cityline311@danbury.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce1@mx.example.net>',
      `In-Reply-To: <${OUR_ID}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; <Gone@Example.net>',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      'From: cityline311@danbury.example',
      'To: gone@example.net',
      `Message-ID: <${OUR_ID}>`,
      'Subject: Your request DB-100A7',
      '--b1--',
      '',
    ].join('\n');
    const v = await detectRaw(dsn);
    expect(v).toMatchObject({
      kind: 'bounce',
      bounce: { originalMessageId: OUR_ID, recipient: 'gone@example.net', permanent: true, status: '5.1.1' },
    });
  });
});
