// A storm-day burst: mail queues and drains at the relay's rate, residents' confirmations first.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/db.ts';
import { residentMail, startTestSystem, type TestSystem } from '../helpers/system.ts';

describe('sending at the relay rate', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({ env: { CITYLINE_SEND_RATE_PER_MINUTE: '120' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('drains a burst no faster than the configured rate, confirmations before department copies', async () => {
    const notify = t.system.queues.queue('notify');
    await notify.pause();
    // Routine reports: a blocked road would be urgent, and danger mail goes first (test/e2e/emergencies.test.ts).
    const streets = ['Osborne Street', 'Padanaram Road', 'Deer Hill Avenue', 'Franklin Street'];
    for (const [i, street] of streets.entries()) {
      await t.dovecot.append(residentMail({ from: `storm${i}@resident.example`, subject: 'tree down', body: `A big tree fell on the lawn of the park on ${street} near number ${i + 10}, please clear it.`, messageId: `${randomBytes(6).toString('hex')}@resident.example` }));
    }
    await waitFor(async () => {
      const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'`);
      return (rows[0]?.n ?? 0) >= 8;
    }, 30_000, 'the burst to be queued');
    const started = Date.now();
    await notify.resume();
    const mail = await t.smtp.waitForCount(8, 30_000);
    const elapsed = Date.now() - started;
    // 120 a minute is 2 a second: eight messages cannot all leave within 3 seconds.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    const kinds = mail.map((m) => (m.envelopeTo.some((a) => a.endsWith('@resident.example')) ? 'confirmation' : 'ticket'));
    expect(kinds).toEqual(['confirmation', 'confirmation', 'confirmation', 'confirmation', 'ticket', 'ticket', 'ticket', 'ticket']);
  });

  it('retries a temporary SMTP failure and records a permanent one on the outbox row', async () => {
    const send = async (from: string, street: string) => {
      const messageId = `${randomBytes(6).toString('hex')}@resident.example`;
      await t.dovecot.append(residentMail({ from, subject: 'graffiti', body: `Graffiti on the wall at 40 ${street}.`, messageId }));
      return t.requestFor(messageId);
    };
    // failNext hits whatever is sent next: let earlier mail leave first.
    const quiet = () =>
      waitFor(async () => {
        const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state IN ('pending', 'sending')`);
        return rows[0]?.n === 0;
      }, 30_000, 'all queued mail to be sent');
    await quiet();
    t.smtp.failNext(451, '4.7.1 Try again later');
    const retried = await send('retry@resident.example', 'White Street');
    await t.smtp.waitFor((m) => m.envelopeTo.includes('retry@resident.example'), 30_000);
    const sent = await waitFor(async () => {
      const { rows } = await t.db.pool.query(`SELECT state, attempts FROM outbox WHERE request_id = $1 AND kind = 'confirmation'`, [retried.id]);
      return rows[0]?.state === 'sent' ? rows[0] : undefined;
    }, 10_000, 'the retried confirmation to be recorded as sent');
    expect(sent.attempts).toBeGreaterThanOrEqual(2);

    await quiet();
    t.smtp.failNext(550, '5.1.1 No such user', 1, 'rcpt');
    const refused = await send('nobody@resident.example', 'Main Street');
    const row = await waitFor(async () => {
      const { rows } = await t.db.pool.query(`SELECT state, last_error FROM outbox WHERE request_id = $1 AND kind = 'confirmation'`, [refused.id]);
      return rows[0]?.state === 'failed' ? rows[0] : undefined;
    }, 20_000, 'the refused confirmation to be marked failed');
    expect(row.last_error).toMatch(/550/);
  });
});
