import { createHash } from 'node:crypto';
import pg from 'pg';

/** The one-method database interface the SQL modules take: a pool or a client inside a transaction. */
export interface Db {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

// bigint columns (ids, counts) come back as strings by default; ours stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const statementNames = new Map<string, string>();

/** A name per distinct SQL text: the same text is the same statement on every connection. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** PostgreSQL refuses to run a prepared statement whose result columns a migration changed. */
function isStalePlan(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '0A000' && /cached plan must not change result type/.test((err as Error).message);
}

/**
 * Runs every parameterised query as a named prepared statement, parsed once per connection: the app's
 * SQL is a fixed set of texts with the values apart, so PostgreSQL need not parse and analyse it again for
 * every message. Queries without values (migrations, BEGIN/COMMIT) keep the simple protocol, which allows
 * several statements in one text. A statement goes stale when a migration (run by another process, or by
 * this one at start) changes the shape of a table it reads: it is then dropped and prepared again, at once
 * for a query on its own (the pool's), and at the next use inside a transaction, which the error has
 * already spoiled (the job retries it).
 */
class PreparingClient extends pg.Client {
  private readonly stale = new Set<string>();

  // pg's query has a dozen overloads; this one passes every call through, naming the plain parameterised ones.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    const query = super.query as (...a: unknown[]) => never;
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return query.apply(this, args);
    const name = statementName(text);
    const prepared = (): Promise<pg.QueryResult> =>
      this.stale.has(name) ? this.forget(name).then(() => query.call(this, { name, text }, values)) : query.call(this, { name, text }, values);
    const run = async (): Promise<pg.QueryResult> => {
      try {
        return await prepared();
      } catch (err) {
        if (!isStalePlan(err)) throw err;
        this.stale.add(name);
        // Outside a transaction (the pool's one-off queries, the only ones with a callback) a retry is safe.
        if (typeof callback !== 'function') throw err;
        return prepared();
      }
    };
    if (typeof callback === 'function') {
      run().then((res) => callback(undefined, res), (err: unknown) => callback(err));
      return undefined as never;
    }
    return run() as never;
  }

  /** Drops a statement PostgreSQL no longer runs, so that pg parses it again under the same name. */
  private async forget(name: string): Promise<void> {
    // Fails inside a transaction the stale statement spoiled; it stays marked and is dropped at the next use.
    await super.query(`DEALLOCATE ${pg.escapeIdentifier(name)}`);
    this.stale.delete(name);
    const { parsedStatements } = (this as unknown as { connection: { parsedStatements: Record<string, string> } }).connection;
    delete parsedStatements[name];
  }
}

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000, Client: PreparingClient });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Runs fn in one transaction on one client, committing on success and rolling back on any throw. */
export async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Creates the database named in the URL when it does not exist (the default local setup). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await probe.end().catch(() => {});
  }
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    // Another process created it between our probe and now.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}
