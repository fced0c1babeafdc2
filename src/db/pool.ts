import { createHash } from 'node:crypto';
import pg from 'pg';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

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

const NUL = /\0/g;

/**
 * What a string parameter becomes on its way to PostgreSQL: without NUL characters. No text column can
 * hold one (22021), nor jsonb the \u0000 that JSON.stringify writes for it (22P05), so a stray NUL (a
 * quoted-printable =00 in a bounce report) would fail its statement on every retry. A JSON text (it
 * parses as JSON) is read and written again without NULs in its strings; any other text keeps its
 * characters, so a resident who types "\u0000" keeps it.
 */
export function withoutNul(value: string): string {
  if (value.includes('\0')) value = value.replace(NUL, '');
  if (!value.includes('\\u0000')) return value;
  try {
    return JSON.stringify(JSON.parse(value, (_key, v: unknown) => (typeof v === 'string' ? v.replace(NUL, '') : v)));
  } catch {
    return value;
  }
}

function cleanValues(values: unknown[]): unknown[] {
  return values.map((v) =>
    typeof v === 'string' ? withoutNul(v) : Array.isArray(v) ? v.map((x: unknown) => (typeof x === 'string' ? withoutNul(x) : x)) : v,
  );
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
    const cleaned = cleanValues(values);
    const prepared = (): Promise<pg.QueryResult> =>
      this.stale.has(name) ? this.forget(name).then(() => query.call(this, { name, text }, cleaned)) : query.call(this, { name, text }, cleaned);
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

/**
 * A client class whose every instance hears its own 'error' events from construction to end. pg-pool
 * listens only while a client is idle (it removes its listener at checkout), so a connection that
 * PostgreSQL drops under a running query (a restart, a failover, pg_terminate_backend) would otherwise
 * raise an unhandled 'error' and end the process. The query itself still rejects, and its job retries.
 */
function listeningClient(log: Logger | undefined): typeof pg.Client {
  return class extends PreparingClient {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      this.on('error', (err) => log?.warn({ err: describeError(err), code: (err as { code?: string }).code }, 'PostgreSQL connection lost'));
    }
  };
}

export function createPool(databaseUrl: string, max = 10, opts: { log?: Logger } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000, Client: listeningClient(opts.log) });
  // The client's own listener has logged it; pg-pool re-emits an idle client's error here, and an
  // EventEmitter without an 'error' listener throws.
  pool.on('error', () => {});
  return pool;
}

/**
 * Runs fn in one transaction on one client, committing on success and rolling back on any throw. A
 * client whose ROLLBACK fails is broken (its connection is gone): it is destroyed, not pooled again.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await inTransaction(client, fn, (err) => (broken = err));
  } finally {
    client.release(broken);
  }
}

/**
 * One transaction on a client the caller already holds (migrations run on the connection holding their
 * lock, so a pool of one is enough). onBroken hears of a failed ROLLBACK: that connection is unusable.
 */
export async function inTransaction<T>(client: pg.PoolClient, fn: (tx: pg.PoolClient) => Promise<T>, onBroken: (err: Error) => void): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      onBroken(rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr)));
    });
    throw err;
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
