// A running process keeps working when another one migrates the schema under its prepared statements.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, withTransaction } from '../../src/db/pool.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('prepared statements after a migration', () => {
  let db: TestDb;
  let pool: pg.Pool;
  // The process that migrates: its own connection, as another process would have.
  let migrator: pg.Client;
  beforeAll(async () => {
    db = await createTestDb({ migrated: false });
    // One connection, so that every query below meets the statement this connection prepared.
    pool = createPool(db.url, 1);
    migrator = new pg.Client({ connectionString: db.url });
    await migrator.connect();
    await migrator.query(`CREATE TABLE things (id int PRIMARY KEY, name text); INSERT INTO things VALUES (1, 'bin')`);
  });
  afterAll(async () => {
    await migrator.end();
    await pool.end();
    await db.drop();
  });

  it('a query on its own is prepared again at once and sees the new column', async () => {
    expect((await pool.query('SELECT * FROM things WHERE id = $1', [1])).rows).toEqual([{ id: 1, name: 'bin' }]);
    await migrator.query(`ALTER TABLE things ADD COLUMN colour text NOT NULL DEFAULT 'green'`);
    expect((await pool.query('SELECT * FROM things WHERE id = $1', [1])).rows).toEqual([{ id: 1, name: 'bin', colour: 'green' }]);
  });

  it('inside a transaction the attempt fails (PostgreSQL has spoiled it), and the retry works', async () => {
    const read = () => withTransaction(pool, async (tx) => (await tx.query('SELECT * FROM things WHERE id = $1', [1])).rows);
    expect(await read()).toEqual([{ id: 1, name: 'bin', colour: 'green' }]);
    await migrator.query('ALTER TABLE things ADD COLUMN size int');
    await expect(read()).rejects.toMatchObject({ code: '0A000' });
    expect(await read()).toEqual([{ id: 1, name: 'bin', colour: 'green', size: null }]);
  });
});
