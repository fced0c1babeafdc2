import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { PROJECT_ROOT } from '../config/index.ts';
import { withTransaction } from './pool.ts';

const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
// Any constant shared by every process of this app; it keeps two starting processes from migrating at once.
const MIGRATION_LOCK_KEY = 311_311_001;

async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
}

/** Applies every migrations/NNN_name.sql not yet applied, in order, each in its own transaction. */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const files = await migrationFiles();
  const applied: string[] = [];
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await lock.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await lock.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      await withTransaction(pool, async (tx) => {
        try {
          await tx.query(sql);
        } catch (err) {
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
        await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      });
      applied.push(file);
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    lock.release();
  }
  return applied;
}

/** Migrations the code has that the database has not applied (all of them for a database never migrated). */
export async function pendingMigrations(db: Pick<pg.ClientBase, 'query'>): Promise<string[]> {
  const files = await migrationFiles();
  const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!rows[0]?.present) return files;
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
  return files.filter((f) => !done.has(f));
}
