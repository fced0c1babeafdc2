import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.ts';
import { automaticMailSentSince } from '../../src/notify/outbox.ts';
import { firstSuppressed, isSuppressed, normalizeAddress, suppressAddress } from '../../src/notify/suppressions.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
let outboxSeq = 0;

async function outboxRow(to: string): Promise<number> {
  outboxSeq++;
  const r = await db.pool.query<{ id: number }>(
    `INSERT INTO outbox (dedupe_key, kind, to_address, subject, message_id, text_body)
     VALUES ($1, 'confirmation', $2, 'Your request', $3, 'Thanks') RETURNING id`,
    [`test:${outboxSeq}`, to, `n.t${outboxSeq}.x@danbury.example`],
  );
  return (r.rows[0] as { id: number }).id;
}

beforeAll(async () => {
  db = await createTestDb();
});

afterAll(async () => {
  await db.drop();
});

describe('mail suppressions', () => {
  it('suppress an address in any case or with angle brackets, once, keeping the first reason', async () => {
    const outboxId = await outboxRow('gone@example.net');
    expect(await isSuppressed(db.pool, 'gone@example.net')).toBe(false);
    expect(await suppressAddress(db.pool, '<Gone@Example.NET>', 'bounce 5.1.1 user unknown', outboxId)).toBe(true);
    expect(await suppressAddress(db.pool, 'gone@example.net', 'bounce 5.2.1', null)).toBe(false);
    expect(await isSuppressed(db.pool, 'GONE@example.net')).toBe(true);
    expect(await isSuppressed(db.pool, 'gone@example.org')).toBe(false);
    const row = await db.pool.query('SELECT address, reason, outbox_id FROM mail_suppressions');
    expect(row.rows).toEqual([{ address: 'gone@example.net', reason: 'bounce 5.1.1 user unknown', outbox_id: outboxId }]);
  });

  it('accept a suppression without a known outbox row', async () => {
    expect(await suppressAddress(db.pool, 'complained@example.net', 'feedback report', null)).toBe(true);
    expect(await isSuppressed(db.pool, 'complained@example.net')).toBe(true);
  });

  it('refuse what is not an address, and the database refuses mixed case', async () => {
    expect(() => normalizeAddress('nobody')).toThrow(PermanentError);
    await expect(suppressAddress(db.pool, '', 'x', null)).rejects.toThrow(/not an email address/);
    await expect(db.pool.query(`INSERT INTO mail_suppressions (address, reason) VALUES ('Mixed@Example.net', 'x')`)).rejects.toThrow(
      /check constraint/,
    );
  });
});

describe('the cap on automatic mail', () => {
  async function sent(to: string, kind: string, hoursAgo: number): Promise<void> {
    const id = await outboxRow(to);
    await db.pool.query(`UPDATE outbox SET kind = $2, state = 'sent', sent_at = now() - make_interval(hours => $3) WHERE id = $1`, [id, kind, hoursAgo]);
  }

  it('counts automatic mail sent to an address in the window, in any case, and nothing else', async () => {
    const robot = 'robot@loop.example';
    await sent(robot, 'confirmation', 0);
    await sent('Robot@Loop.example', 'status_answer', 1);
    await sent(robot, 'confirmation', 25);
    await sent(robot, 'routed_ticket', 0);
    await outboxRow(robot);
    await sent('someone@else.example', 'confirmation', 0);
    const dayAgo = new Date(Date.now() - 24 * 3_600_000);
    expect(await automaticMailSentSince(db.pool, 'ROBOT@loop.example', dayAgo)).toBe(2);
    expect(await automaticMailSentSince(db.pool, 'quiet@example.net', dayAgo)).toBe(0);
  });

  it('finds a suppressed address in a recipient list with one query', async () => {
    await suppressAddress(db.pool, 'bounced@list.example', 'bounce 5.1.1', null);
    expect(await firstSuppressed(db.pool, ['ok@list.example', 'Bounced@List.example'])).toBe('bounced@list.example');
    expect(await firstSuppressed(db.pool, ['ok@list.example'])).toBeNull();
  });
});
