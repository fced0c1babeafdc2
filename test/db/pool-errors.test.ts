// PostgreSQL dropping connections (a restart, a failover, pg_terminate_backend) fails the query that was
// running, with an error classified as temporary, and never the process.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, withoutNul, withTransaction } from '../../src/db/pool.ts';
import { isUnavailable } from '../../src/errors.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

/** Ends every other connection to the test's own database, as an administrator would. */
async function terminateOthers(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rows[0]?.n ?? 0;
}

describe('a pool whose connections PostgreSQL ends', () => {
  it('fails a running transaction with a temporary error, hears the error of a checked-out idle client, and goes on', async () => {
    const lost: string[] = [];
    const log = { warn: (o: { code?: string }) => lost.push(o.code ?? '?') } as never;
    const pool = createPool(db.url, 4, { log });
    const admin = createPool(db.url, 1);
    try {
      const running = withTransaction(pool, async (tx) => {
        await tx.query('SELECT pg_sleep(30)');
      });
      running.catch(() => {});
      // A client checked out and holding no query: pg-pool has removed its own listener from it.
      const held = await pool.connect();
      await waitFor(async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'`)).rowCount === 1, 10_000, 'the sleep to run');
      expect(await terminateOthers(admin)).toBeGreaterThanOrEqual(2);
      const err = await running.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isUnavailable(err)).toBe(true);
      await waitFor(() => lost.length >= 2, 10_000, 'both clients to report the lost connection');
      expect(lost).toContain('57P01');
      held.release(new Error('connection lost'));
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]?.one).toBe(1);
      await withTransaction(pool, async (tx) => tx.query('SELECT 1'));
    } finally {
      await pool.end();
      await admin.end();
    }
  });
});

describe('NUL characters', () => {
  it('are dropped from text and from JSON strings on their way to PostgreSQL; a typed "\\u0000" stays', async () => {
    await db.pool.query('CREATE TABLE nul_probe (t text, j jsonb, a text[])');
    await db.pool.query('INSERT INTO nul_probe VALUES ($1, $2, $3)', ['Link\0Id=\0\0', JSON.stringify({ diagnostic: 'LinkId=\0\0\0', typed: 'C:\\u0000' }), ['a\0b']]);
    const { rows } = await db.pool.query<{ t: string; j: { diagnostic: string; typed: string }; a: string[] }>('SELECT t, j, a FROM nul_probe');
    expect(rows[0]).toEqual({ t: 'LinkId=', j: { diagnostic: 'LinkId=', typed: 'C:\\u0000' }, a: ['ab'] });
    expect(withoutNul('a resident wrote \\u0000 in { not json')).toBe('a resident wrote \\u0000 in { not json');
  });
});
