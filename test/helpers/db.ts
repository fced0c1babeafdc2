// Each test file gets a database of its own, migrated from scratch and dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { createPool } from '../../src/db/pool.ts';
import { migrate } from '../../src/db/migrate.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Warnings and errors of the code under test go to stderr, where a failing test's output shows them. */
export const testLog = pino({ level: 'warn' }, pino.destination(2));

export interface TestDb {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A database of its own; migrated unless `migrated: false` (for tests that migrate it themselves). */
export async function createTestDb(opts: { migrated?: boolean } = {}): Promise<TestDb> {
  const name = `cityline_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 5);
  if (opts.migrated ?? true) await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A BullMQ key prefix no other test file uses. */
export function testQueuePrefix(): string {
  return `cltest-${randomBytes(5).toString('hex')}`;
}

/** Polls until check returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
