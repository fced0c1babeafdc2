// bin/cityline ingest as a mail server runs it: a child process, the message on stdin or in a file.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/index.ts';
import { redisConnection } from '../../src/jobs/queues.ts';
import { createTestDb, testLog, testQueuePrefix, type TestDb } from '../helpers/db.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'cityline');
let db: TestDb;
let tmp: string;
const prefix = testQueuePrefix();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ingest(args: string[], input: Buffer | string | null, env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['ingest', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CITYLINE_QUEUE_PREFIX: prefix, CITYLINE_LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? undefined);
  });
}

const message = (id: string): string =>
  ['From: Resident <resident@example.com>', 'To: cityline311@danbury.example', 'Subject: Tree down', `Message-ID: <${id}>`, '', 'A tree is down on Deer Hill Avenue.', ''].join('\r\n');

beforeAll(async () => {
  db = await createTestDb();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cityline-ingest-'));
});

afterAll(async () => {
  await db?.drop();
  await rm(tmp, { recursive: true, force: true });
});

describe('cityline ingest', () => {
  it('stores a message from stdin, prints its id, exits 0 and queues its parse job', async () => {
    const r = await ingest([], message('stdin@resident.example'), { DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = Number(r.stdout.trim());
    const row = await db.pool.query('SELECT source, message_id FROM inbound_messages WHERE id = $1', [id]);
    expect(row.rows[0]).toEqual({ source: 'pipe', message_id: 'stdin@resident.example' });
    const connection = redisConnection('redis://127.0.0.1:6379', testLog);
    const queue = new Queue('parse', { connection, prefix });
    try {
      const job = await queue.getJob(`parse-${id}`);
      expect(job?.data).toEqual({ inboundMessageId: id });
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('reads a file, and prints the same id when the message is delivered again', async () => {
    const file = path.join(tmp, 'again.eml');
    await writeFile(file, message('again@resident.example'));
    const first = await ingest([file], null, { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/stored but Redis .* is unreachable/);
    const second = await ingest([file], null, { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('exits 75 (EX_TEMPFAIL) when the database cannot be reached', async () => {
    const r = await ingest([], message('no-db@resident.example'), { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/cityline311' });
    expect(r.code).toBe(75);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot reach the database at postgres:\/\/postgres@127\.0\.0\.1:1\/cityline311/);
  });

  it('exits 75 and says to run migrate when the schema is missing', async () => {
    const name = `cityline_test_bare_${randomBytes(5).toString('hex')}`;
    await db.pool.query(`CREATE DATABASE ${name}`);
    try {
      const bare = new URL(db.url);
      bare.pathname = `/${name}`;
      const r = await ingest([], message('no-schema@resident.example'), { DATABASE_URL: bare.toString() });
      expect(r.code).toBe(75);
      expect(r.stderr).toMatch(/run "cityline migrate"/);
    } finally {
      await db.pool.query(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  });

  it('exits 65 (EX_DATAERR) for an empty message', async () => {
    const r = await ingest(['-'], '', { DATABASE_URL: db.url });
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/message is empty/);
  });
});
