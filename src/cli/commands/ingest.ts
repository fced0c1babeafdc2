// bin/cityline ingest [FILE.eml|-]: one raw message from a mail server's pipe. The exit code is the
// contract with the MTA (sysexits.h): 0 stored, 75 try again later, 65 never deliverable, 78 misconfigured.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { ConfigError, loadConfig, redact, type Config } from '../../config/index.ts';
import { createPool } from '../../db/pool.ts';
import { describeError, isUnavailable, PermanentError } from '../../errors.ts';
import { storeRawMessage } from '../../intake/store.ts';
import { withTimeout } from '../../intake/waits.ts';
import { createQueues } from '../../jobs/queues.ts';
import { createLogger } from '../../log.ts';

const EX_USAGE = 64;
const EX_DATAERR = 65;
const EX_TEMPFAIL = 75;
const EX_CONFIG = 78;
const ENQUEUE_TIMEOUT_MS = 2_000;

function fail(code: number, message: string): number {
  process.stderr.write(`cityline ingest: ${message}\n`);
  return code;
}

async function readInput(arg: string): Promise<Buffer> {
  if (arg !== '-') return readFile(arg);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function run(args: string[]): Promise<number> {
  if (args.length > 1 || args[0]?.startsWith('--')) return fail(EX_USAGE, 'usage: cityline ingest [FILE.eml|-]');
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(EX_CONFIG, err.message);
    throw err;
  }
  let raw: Buffer;
  try {
    raw = await readInput(args[0] ?? '-');
  } catch (err) {
    return fail(EX_USAGE, `cannot read ${args[0]}: ${describeError(err)}`);
  }

  const pool = createPool(config.databaseUrl, 1);
  let stored: { id: number; state: string };
  try {
    stored = await storeRawMessage(pool, { raw, source: 'pipe', maxRawBytes: config.maxRawBytes });
  } catch (err) {
    if (err instanceof PermanentError) return fail(EX_DATAERR, `${err.message} (${err.code})`);
    const code = (err as { code?: string }).code;
    // A missing schema or database is an operator's fix away: the MTA should keep the message meanwhile.
    if (code === '42P01') return fail(EX_TEMPFAIL, 'the database has no CityLine tables: run "cityline migrate"');
    if (code === '3D000') return fail(EX_TEMPFAIL, `the database in DATABASE_URL does not exist (${redact(config.databaseUrl)}): run "cityline migrate"`);
    if (isUnavailable(err)) return fail(EX_TEMPFAIL, `cannot reach the database at ${redact(config.databaseUrl)}: ${describeError(err)}; the message was not stored, try again later`);
    return fail(EX_TEMPFAIL, `could not store the message: ${describeError(err)}`);
  } finally {
    await pool.end().catch(() => {});
  }
  process.stdout.write(`${stored.id}\n`);
  if (stored.state === 'stored') await enqueueParse(config, stored.id);
  return 0;
}

/** Best effort: the message is safe in the database, and the sweeper re-enqueues any it was not told about. */
async function enqueueParse(config: Config, id: number): Promise<void> {
  // A quick TCP probe first: BullMQ's connection would otherwise wait for Redis indefinitely.
  try {
    await withTimeout(reachable(config.redisUrl), ENQUEUE_TIMEOUT_MS, 'connecting to Redis');
  } catch (err) {
    process.stderr.write(`cityline ingest: warning: message ${id} is stored but Redis at ${redact(config.redisUrl)} is unreachable (${describeError(err)}); the sweeper will queue it\n`);
    return;
  }
  const queues = createQueues(config.redisUrl, config.queuePrefix, createLogger(config.logLevel));
  try {
    await withTimeout(queues.requeue('parse', { inboundMessageId: id }), ENQUEUE_TIMEOUT_MS, 'enqueueing the parse job');
  } catch (err) {
    process.stderr.write(`cityline ingest: warning: message ${id} is stored but its parse job was not queued (${describeError(err)}); the sweeper will queue it\n`);
  } finally {
    await withTimeout(queues.close(), ENQUEUE_TIMEOUT_MS, 'closing the queue connection').catch(() => {});
  }
}

function reachable(redisUrl: string): Promise<void> {
  const u = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port) || 6379, u.hostname || '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}
