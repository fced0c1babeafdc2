import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoRepliesSince, isSuppressed, normalizeAddress, recordAutoReply, suppressAddress } from '../../src/notify/suppressions.ts';
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
    expect(() => normalizeAddress('nobody')).toThrow(RangeError);
    await expect(suppressAddress(db.pool, '', 'x', null)).rejects.toThrow(/not an email address/);
    await expect(db.pool.query(`INSERT INTO mail_suppressions (address, reason) VALUES ('Mixed@Example.net', 'x')`)).rejects.toThrow(
      /check constraint/,
    );
  });
});

describe('automatic reply log', () => {
  it('counts replies per address since a time, once per outbox row', async () => {
    const robot = 'robot@loop.example';
    const ids = [await outboxRow(robot), await outboxRow(robot), await outboxRow(robot)];
    const before = new Date(Date.now() - 60_000);
    for (const id of ids) await recordAutoReply(db.pool, robot, id);
    await recordAutoReply(db.pool, 'Robot@Loop.example', ids[0] as number);
    await recordAutoReply(db.pool, 'someone@else.example', await outboxRow('someone@else.example'));
    expect(await autoRepliesSince(db.pool, 'ROBOT@loop.example', before)).toBe(3);
    expect(await autoRepliesSince(db.pool, robot, new Date(Date.now() + 60_000))).toBe(0);
    expect(await autoRepliesSince(db.pool, 'quiet@example.net', before)).toBe(0);
  });

  it('leaves older replies out of the window', async () => {
    const addr = 'old@example.net';
    const id = await outboxRow(addr);
    await recordAutoReply(db.pool, addr, id);
    await db.pool.query(`UPDATE auto_reply_log SET sent_at = now() - interval '25 hours' WHERE outbox_id = $1`, [id]);
    await recordAutoReply(db.pool, addr, await outboxRow(addr));
    expect(await autoRepliesSince(db.pool, addr, new Date(Date.now() - 24 * 3600_000))).toBe(1);
  });

  it('has the index the cap query uses', async () => {
    const r = await db.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'auto_reply_log'`);
    expect(r.rows.map((x: { indexdef: string }) => x.indexdef).join('\n')).toContain('(address, sent_at)');
  });
});
