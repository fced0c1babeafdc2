// Forward-only migrations, as graphile-worker runs them: numbered files applied once each, recorded with
// a checksum, refused when history was rewritten or when the database is ahead of the code.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { PROJECT_ROOT } from '../config/index.ts';
import { MigrationError } from '../errors.ts';
import { inTransaction } from './pool.ts';

const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
// Any constant shared by every process of this app; it keeps two starting processes from migrating at once.
const MIGRATION_LOCK_KEY = 311_311_001;

async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

interface Recorded {
  name: string;
  checksum: string | null;
}

/**
 * Applies every migrations/NNN_name.sql not yet applied, in number order, each in its own transaction, and
 * records its checksum. A migration from another branch that landed with a lower number than one already
 * applied is still applied: each file is either applied or not, whatever its neighbours.
 */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const names = await migrationFiles();
  const files = await Promise.all(names.map(async (name) => {
    const sql = await readFile(path.join(MIGRATIONS_DIR, name), 'utf8');
    return { name, sql, checksum: checksumOf(sql) };
  }));
  const applied: string[] = [];
  const lock = await pool.connect();
  let broken: Error | undefined;
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await lock.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    // Databases migrated before checksums were recorded have names only.
    await lock.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
    const recorded = new Map((await lock.query<Recorded>('SELECT name, checksum FROM schema_migrations')).rows.map((r) => [r.name, r.checksum]));

    const known = new Set(names);
    const unknown = [...recorded.keys()].filter((n) => !known.has(n)).sort();
    if (unknown.length > 0) {
      throw new MigrationError(
        `the database has migrations this code does not know: ${unknown.join(', ')} (in ${MIGRATIONS_DIR}). ` +
          'It was migrated by a newer CityLine or by another branch: run that version against it, or point DATABASE_URL at another database.',
      );
    }
    for (const f of files) {
      const checksum = recorded.get(f.name);
      if (checksum && checksum !== f.checksum) {
        throw new MigrationError(
          `migration ${f.name} was changed after it was applied to this database (applied sha256 ${checksum.slice(0, 12)}, file now ${f.checksum.slice(0, 12)}). ` +
            `Applied migrations are history: restore migrations/${f.name} as it was (git log -p -- migrations/${f.name}) and put the change in a new migration.`,
        );
      }
    }
    // Which version of a file an old database ran was never recorded: it is taken to be this one, and the
    // edits history made to applied files are repaired by 005_catch_up.sql.
    await lock.query(
      `UPDATE schema_migrations m SET checksum = f.checksum
         FROM unnest($1::text[], $2::text[]) AS f(name, checksum) WHERE m.name = f.name AND m.checksum IS NULL`,
      [files.map((f) => f.name), files.map((f) => f.checksum)],
    );

    for (const f of files) {
      if (recorded.has(f.name)) continue;
      await inTransaction(lock, async (tx) => {
        try {
          await tx.query(f.sql);
        } catch (err) {
          throw new MigrationError(`migration ${f.name} failed: ${(err as Error).message}`, { cause: err });
        }
        await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [f.name, f.checksum]);
      }, (err) => (broken = err));
      applied.push(f.name);
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    lock.release(broken);
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
