import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/config/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';

const git = (...args: string[]): string => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/**
 * The schema as pg_dump prints it, with what says nothing about the schema taken out: pg_dump's random
 * \restrict key, and the order of a table's columns (a column added by a later ALTER TABLE is printed
 * last; nothing in the code depends on column order, every INSERT and SELECT names its columns).
 */
function schemaOf(db: TestDb): string {
  const dump = execFileSync('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', db.url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = dump.split('\n').filter((l) => !/^\\(un)?restrict /.test(l) && !l.startsWith('-- Dumped '));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    out.push(line);
    if (!/^CREATE TABLE .*\($/.test(line)) continue;
    const columns: string[] = [];
    while (i + 1 < lines.length && !(lines[i + 1] as string).startsWith(')')) columns.push((lines[++i] as string).replace(/,$/, ''));
    out.push(...columns.sort());
  }
  return out.join('\n');
}

describe('migrations', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('apply once and are a no-op the second time', async () => {
    const again = await migrate(db.pool);
    expect(again).toEqual([]);
    const { rows } = await db.pool.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toContain('001_core.sql');
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  it('run safely from two processes at once', async () => {
    const results = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    expect(results.flat()).toEqual([]);
  });

  it('refuse to start when an applied migration was changed, naming the file and what to do', async () => {
    const other = await createTestDb();
    try {
      await other.pool.query(`UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE name = '003_staff.sql'`);
      await expect(migrate(other.pool)).rejects.toThrow(
        /migration 003_staff\.sql was changed after it was applied .* restore migrations\/003_staff\.sql as it was .* put the change in a new migration/,
      );
    } finally {
      await other.drop();
    }
  });

  it('refuse to start on a database migrated by code newer than this, and apply nothing', async () => {
    const other = await createTestDb();
    try {
      await other.pool.query(`INSERT INTO schema_migrations (name, checksum) VALUES ('999_from_the_future.sql', repeat('1', 64))`);
      await other.pool.query(`DELETE FROM schema_migrations WHERE name = '005_catch_up.sql'`);
      await expect(migrate(other.pool)).rejects.toThrow(/the database has migrations this code does not know: 999_from_the_future\.sql/);
      const { rows } = await other.pool.query(`SELECT 1 FROM schema_migrations WHERE name = '005_catch_up.sql'`);
      expect(rows).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it('apply a known migration that is missing even when a higher-numbered one is applied (branches land in any order)', async () => {
    const other = await createTestDb({ migrated: false });
    try {
      await migrate(other.pool);
      await other.pool.query(`DELETE FROM schema_migrations WHERE name = '002_training.sql'`);
      await other.pool.query('DROP TABLE training_examples');
      expect(await migrate(other.pool)).toEqual(['002_training.sql']);
      expect(schemaOf(other)).toBe(schemaOf(db));
    } finally {
      await other.drop();
    }
  });

  // Every commit that changed migrations/ is a release a real database may have been migrated at, by the
  // code of the day (names recorded, no checksums).
  const releases = git('log', '--reverse', '--format=%H', '--', 'migrations').trim().split('\n');
  it.each(releases.map((c) => [c.slice(0, 7), c]))('a database migrated at %s upgrades to the schema of a fresh one', async (_short, commit) => {
    const old = await createTestDb({ migrated: false });
    try {
      await old.pool.query('CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const files = git('ls-tree', '--name-only', commit, 'migrations/').trim().split('\n').filter((f) => /\/\d{3}_[\w-]+\.sql$/.test(f)).sort();
      for (const file of files) {
        await old.pool.query(git('show', `${commit}:${file}`));
        await old.pool.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file.slice('migrations/'.length)]);
      }
      await migrate(old.pool);
      expect(schemaOf(old)).toBe(schemaOf(db));
      const { rows } = await old.pool.query('SELECT count(*)::int AS n FROM schema_migrations WHERE checksum IS NULL');
      expect(rows[0]).toEqual({ n: 0 });
    } finally {
      await old.drop();
    }
  });
});
