// Emergencies end to end: raw mail into the real Dovecot INBOX, through every stage, read at the real SMTP
// peer. Each hazard gets its safety confirmation (in the resident's language), the on-call alert and the
// department's URGENT ticket; danger mail overtakes a backlog at the relay's rate; a reply raises a request.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hazard } from '../../src/classify/urgency.ts';
import { waitFor } from '../helpers/db.ts';
import type { Captured } from '../helpers/smtp-peer.ts';
import { residentMail, startTestSystem, type TestSystem } from '../helpers/system.ts';

const ONCALL = 'oncall@danbury.example';
const uniq = (): string => randomBytes(6).toString('hex');

interface Case {
  hazard: Hazard;
  urgency: 'emergency' | 'urgent';
  language: 'en' | 'es' | 'pt';
  subject: string;
  body: string;
  /** In the confirmation's text, in the resident's language. */
  told: RegExp;
}

const CASES: Case[] = [
  { hazard: 'downed_wire', urgency: 'emergency', language: 'en', subject: 'Power line down', body: "Power line down across the road at 12 Osborne Street, it's sparking.", told: /Call 911 now[\s\S]*30 feet[\s\S]*the Eversource emergency line at 800-286-2000/i },
  { hazard: 'gas_leak', urgency: 'emergency', language: 'es', subject: 'olor', body: 'Huele a gas en toda la cuadra, frente al 40 de la calle Main.', told: /Llame al 911 ahora[\s\S]*Salga del edificio[\s\S]*emergencias de Eversource al 877-944-5325/i },
  { hazard: 'fire', urgency: 'emergency', language: 'pt', subject: 'fogo', body: 'Tem uma casa pegando fogo na Park Avenue, perto do número 20.', told: /Ligue para o 911 agora[\s\S]*Saia, não volte/i },
  { hazard: 'person_in_danger', urgency: 'emergency', language: 'en', subject: 'help', body: 'A child fell into an open trench at 5 Triangle Street and cannot get out.', told: /Call 911 now: they can send help/i },
  { hazard: 'carbon_monoxide', urgency: 'emergency', language: 'en', subject: 'alarm', body: 'Sorry to bother you, our carbon monoxide alarm at 30 Main Street is going off and we feel dizzy.', told: /fresh air outside now|out into fresh air now/i },
  { hazard: 'water_main', urgency: 'emergency', language: 'en', subject: 'water everywhere', body: 'A water main broke on Golden Hill Road near number 14, the street is flooding.', told: /Keep away from the water/i },
  { hazard: 'road_blocked', urgency: 'urgent', language: 'en', subject: 'tree down', body: 'A big tree fell across Padanaram Road near number 10, the road is blocked.', told: /flagged your report for same-day attention/i },
  { hazard: 'signal_dark', urgency: 'urgent', language: 'es', subject: 'semáforo', body: 'El semáforo de la calle White con Main Street está apagado.', told: /Marcamos su reporte para atención hoy mismo/i },
  { hazard: 'open_hole', urgency: 'urgent', language: 'pt', subject: 'bueiro', body: 'O bueiro na frente do 88 da West Wooster Street está sem tampa.', told: /Marcamos o seu relato para atendimento ainda hoje/i },
  { hazard: 'missing_stop_sign', urgency: 'urgent', language: 'en', subject: 'stop sign', body: 'The stop sign at Moss Avenue and Tamarack Avenue was knocked down.', told: /same-day attention/i },
  { hazard: 'ice_hazard', urgency: 'urgent', language: 'en', subject: 'ice', body: 'Black ice on Stadley Rough Road by number 40, cars are sliding.', told: /same-day attention/i },
];

const subjectOf = (m: Captured): string => m.parsed.subject ?? '';
// Read from the raw header block: mailparser folds Importance and X-Priority into its own `priority`.
const header = (m: Captured, name: string): string => {
  const head = m.raw.toString('utf8').split(/\r?\n\r?\n/, 1)[0] ?? '';
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
};

describe('emergencies and urgent hazards', () => {
  let t: TestSystem;
  beforeAll(async () => {
    // Threshold 0: every message is routed, so each hazard's ticket can be read (review is tested below).
    t = await startTestSystem({ env: { CITYLINE_ONCALL_EMAIL: ONCALL, CITYLINE_REVIEW_THRESHOLD: '0' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const send = async (from: string, subject: string, body: string) => {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from, subject, body, messageId }));
    return t.requestFor(messageId);
  };

  for (const c of CASES) {
    it(`${c.hazard}: safety confirmation in ${c.language}, on-call alert, URGENT ticket`, async () => {
      const from = `${c.hazard.replace(/_/g, '-')}-${uniq()}@resident.example`;
      const req = await send(from, c.subject, c.body);
      const { rows } = await t.db.pool.query('SELECT urgency, hazard, language, status FROM requests WHERE id = $1', [req.id]);
      expect(rows[0]).toMatchObject({ urgency: c.urgency, hazard: c.hazard, language: c.language, status: 'routed' });

      const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(from), 20_000);
      const text = confirmation.parsed.text ?? '';
      // Before anything else: the first line of the body is the instruction, and so is the subject's start.
      expect(text.split('\n')[0]).toMatch(/^\*\*\* .+ \*\*\*$/);
      expect(text.indexOf('***')).toBe(0);
      expect(text).toMatch(c.told);
      expect(subjectOf(confirmation).startsWith(`[${req.trackingNumber}] `)).toBe(true);
      const prefix = { emergency: { en: 'Call 911 now', es: 'Llame al 911 ahora', pt: 'Ligue para o 911 agora' }, urgent: { en: 'Flagged for same-day attention', es: 'Marcada para atención hoy mismo', pt: 'Marcada para atendimento hoje' } }[c.urgency][c.language];
      expect(subjectOf(confirmation)).toContain(`] ${prefix}: `);
      const html = String(confirmation.parsed.html);
      expect(html.indexOf('role="alert"')).toBeGreaterThan(-1);
      expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('<h1'));

      const alert = await t.smtp.waitFor((m) => m.envelopeTo.includes(ONCALL) && subjectOf(m).includes(req.trackingNumber), 20_000);
      expect(subjectOf(alert)).toContain(c.urgency.toUpperCase());
      expect(header(alert, 'importance')).toBe('high');
      expect(header(alert, 'x-priority')).toMatch(/^1/);
      expect(alert.parsed.text).toContain(c.body.slice(0, 30));

      const ticket = await t.smtp.waitFor((m) => !m.envelopeTo.includes(from) && !m.envelopeTo.includes(ONCALL) && subjectOf(m).includes(req.trackingNumber), 20_000);
      expect(subjectOf(ticket).startsWith(`URGENT: [${req.trackingNumber}]`)).toBe(true);
      expect(header(ticket, 'importance')).toBe('high');
      expect(header(ticket, 'x-priority')).toMatch(/^1/);
      expect((ticket.parsed.text ?? '').startsWith(`*** ${c.urgency.toUpperCase()}: `)).toBe(true);
    });
  }

  it('leaves a near miss routine: no alert, an ordinary ticket', async () => {
    const from = `near-${uniq()}@resident.example`;
    const req = await send(from, 'URGENT!!!', 'What should I do if I ever smell gas? Also my recycling was missed on 12 Spring Street again!!!');
    const ticket = await t.smtp.waitFor((m) => !m.envelopeTo.includes(from) && subjectOf(m).includes(req.trackingNumber), 20_000);
    expect(subjectOf(ticket).startsWith('[')).toBe(true);
    expect(header(ticket, 'importance')).toBe('');
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(from), 20_000);
    expect(confirmation.parsed.text ?? '').not.toContain('***');
    const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE request_id = $1 AND kind = 'oncall_alert'`, [req.id]);
    expect(rows[0]?.n).toBe(0);
  });

  it('does not fold a danger into an earlier, calmer report of the same place', async () => {
    const calm = await send(`calm-${uniq()}@resident.example`, 'tree limb', 'The big oak at 20 Kohanza Street has a dead limb, please trim it.');
    const danger = await send(`danger-${uniq()}@resident.example`, 'tree on wires', 'The tree limb at 20 Kohanza Street fell on the wires, the wires are down and sparking.');
    const { rows } = await t.db.pool.query('SELECT id, category, status, duplicate_of AS "duplicateOf", urgency FROM requests WHERE id = ANY($1) ORDER BY id', [[calm.id, danger.id]]);
    expect(rows[0]).toMatchObject({ category: 'tree', urgency: 'routine' });
    expect(rows[1]).toMatchObject({ category: 'tree', status: 'routed', duplicateOf: null, urgency: 'emergency' });
  });

  it("raises an open request when the resident's reply shows a danger, and alerts", async () => {
    const from = `reply-${uniq()}@resident.example`;
    const req = await send(from, 'low wire', 'The cable across 14 Elm Street has been sagging lower for a few weeks.');
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(from), 20_000);
    expect((await t.db.pool.query('SELECT urgency FROM requests WHERE id = $1', [req.id])).rows[0]).toEqual({ urgency: 'routine' });
    await t.dovecot.append(
      [
        `From: ${from}`,
        `To: ${confirmation.parsed.replyTo?.value[0]?.address}`,
        `Subject: Re: ${subjectOf(confirmation)}`,
        `Message-ID: <${uniq()}@resident.example>`,
        `In-Reply-To: ${confirmation.parsed.messageId}`,
        `References: ${confirmation.parsed.messageId}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'now the wire is on fire',
        '',
        `On Mon, someone wrote:`,
        `> ${(confirmation.parsed.text ?? '').split('\n')[0]}`,
        '',
      ].join('\r\n'),
    );
    const notice = await t.smtp.waitFor((m) => m.envelopeTo.includes(from) && subjectOf(m).includes('Call 911 now'), 20_000);
    expect(notice.parsed.text).toMatch(/^\*\*\* .*call 911 now \*\*\*/);
    expect(notice.parsed.text).toContain('800-286-2000');
    const alert = await t.smtp.waitFor((m) => m.envelopeTo.includes(ONCALL) && subjectOf(m).includes(req.trackingNumber), 20_000);
    expect(alert.parsed.text).toContain("A resident's reply");
    expect(alert.parsed.text).toContain('now the wire is on fire');
    const ticket = await t.smtp.waitFor((m) => subjectOf(m).startsWith(`URGENT: [${req.trackingNumber}]`), 20_000);
    expect(ticket.parsed.text).toContain('now the wire is on fire');
    const { rows } = await t.db.pool.query(
      `SELECT r.urgency, r.hazard, (SELECT count(*)::int FROM request_events e WHERE e.request_id = r.id AND e.kind = 'urgency_raised') AS raised
         FROM requests r WHERE r.id = $1`,
      [req.id],
    );
    expect(rows[0]).toEqual({ urgency: 'emergency', hazard: 'downed_wire', raised: 1 });
  });

  it("opens a danger report of its own for an unproven reply, leaving the request it names as it was", async () => {
    const from = `unproven-${uniq()}@resident.example`;
    const req = await send(from, 'low wire', 'The cable across 30 Elm Street has been sagging lower for a few weeks.');
    await t.smtp.waitFor((m) => m.envelopeTo.includes(from), 20_000);
    // The resident's From and the tracking number only: anyone can write those, so this proves nothing.
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from, subject: `Re: ${req.trackingNumber} low wire`, body: 'now the wire on 30 Elm Street is down and sparking', messageId }));
    const report = await t.requestFor(messageId);
    expect(report.id).not.toBe(req.id);
    const alert = await t.smtp.waitFor((m) => m.envelopeTo.includes(ONCALL) && subjectOf(m).includes(report.trackingNumber), 20_000);
    expect(alert.parsed.text).not.toContain("A resident's reply");
    const { rows } = await t.db.pool.query(
      `SELECT r.id, r.urgency, (SELECT count(*)::int FROM request_events e WHERE e.request_id = r.id AND e.kind IN ('urgency_raised', 'reply')) AS changed,
              (SELECT count(*)::int FROM request_events e WHERE e.request_id = r.id AND e.kind = 'linked_follow_up' AND (e.details->>'previousRequestId')::int = $2) AS linked
         FROM requests r WHERE r.id = ANY($1) ORDER BY r.id`,
      [[req.id, report.id], req.id],
    );
    expect(rows).toEqual([
      { id: req.id, urgency: 'routine', changed: 0, linked: 0 },
      { id: report.id, urgency: 'emergency', changed: 0, linked: 1 },
    ]);
    expect(t.smtp.messages.filter((m) => subjectOf(m).includes(req.trackingNumber) && m.envelopeTo.includes(ONCALL))).toEqual([]);
  });
});

describe('danger mail at the relay rate', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({ env: { CITYLINE_ONCALL_EMAIL: ONCALL, CITYLINE_REVIEW_THRESHOLD: '0', CITYLINE_SEND_RATE_PER_MINUTE: '120' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends an emergency confirmation, alert and ticket ahead of a backlog queued before them', async () => {
    const notify = t.system.queues.queue('notify');
    await notify.pause();
    const pending = async (n: number, what: string) =>
      waitFor(async () => {
        const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'`);
        return (rows[0]?.n ?? 0) >= n;
      }, 30_000, what);
    for (const [i, street] of ['Osborne Street', 'Franklin Street', 'Deer Hill Avenue'].entries()) {
      await t.dovecot.append(residentMail({ from: `backlog${i}@resident.example`, subject: 'graffiti', body: `Graffiti on the wall at ${i + 10} ${street}.`, messageId: `${uniq()}@resident.example` }));
    }
    await pending(6, 'the backlog to be queued');
    await t.dovecot.append(residentMail({ from: 'wire@resident.example', subject: 'hi', body: 'Hi, there is a wire down in front of 44 Hayestown Road, it is sparking.', messageId: `${uniq()}@resident.example` }));
    await pending(9, 'the emergency mail to be queued');
    await notify.resume();
    const mail = await t.smtp.waitForCount(9, 30_000);
    const firstThree = mail.slice(0, 3).map((m) => (m.envelopeTo.includes('wire@resident.example') ? 'confirmation' : m.envelopeTo.includes(ONCALL) ? 'alert' : subjectOf(m).startsWith('URGENT: ') ? 'ticket' : 'backlog'));
    expect(firstThree).toEqual(['confirmation', 'alert', 'ticket']);
  });
});
