// The one-shot commands (`user`, `ingest`, `train`) migrate through a pool of one connection: a fresh
// database must migrate on the connection that holds the migration lock, not wait for a second one.
import { afterAll, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let db: TestDb | undefined;
afterAll(async () => {
  await db?.drop();
});

it('migrates a fresh database through a pool of one connection', async () => {
  db = await createTestDb({ migrated: false });
  const one = createPool(db.url, 1);
  try {
    const applied = await migrate(one);
    expect(applied.length).toBeGreaterThan(10);
    expect(await migrate(one)).toEqual([]);
    const { rows } = await one.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]?.n).toBe(applied.length);
  } finally {
    await one.end();
  }
});
