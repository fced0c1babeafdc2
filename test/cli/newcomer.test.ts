// What a newcomer sees when something is missing: one clear line saying what and how to fix it, no stack.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../src/config/index.ts';
import { liveChecks } from '../../src/health/checks.ts';
import { waitFor } from '../helpers/db.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'cityline');
const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/cityline; a command that would wait forever is stopped once `until` has been seen on stderr. */
function cityline(args: string[], env: Record<string, string>, until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CITYLINE_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until && until.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('messages a newcomer reads', () => {
  it('a bad setting is the message alone', async () => {
    const r = await cityline(['start'], { CITYLINE_REVIEW_THRESHOLD: '2' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('cityline: CITYLINE_REVIEW_THRESHOLD must be a number from 0 to 1, got "2"');
  });

  it('a missing file given to eval names the file, no stack', async () => {
    const r = await cityline(['eval', '/nonexistent/labelled.jsonl'], {});
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('cityline: cannot read /nonexistent/labelled.jsonl: no such file');
  });

  it('start without PostgreSQL says once what to start, and waits instead of dying', async () => {
    const port = await closedPort();
    const r = await cityline(['start'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/cityline311` }, /Waiting for it/);
    const lines = r.stderr.split('\n').filter((l) => l.includes('PostgreSQL'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`PostgreSQL is not reachable at postgres://postgres@127.0.0.1:${port}/cityline311`);
    expect(lines[0]).toContain('pg_ctlcluster');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('CityLine is running');
  });

  it('start without Redis repeats its one line at most once a minute while it waits', async () => {
    const port = await closedPort();
    const child = spawn(BIN, ['start'], {
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CITYLINE_LOG_LEVEL: 'info', REDIS_URL: `redis://127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(() => stderr.includes('Waiting for it'), 20_000, 'the Redis line');
      // Several retries happen in this time (every 2 s); the line must not be said again.
      await new Promise((r) => setTimeout(r, 7_000));
    } finally {
      child.kill('SIGKILL');
    }
    const lines = stderr.split('\n').filter((l) => l.includes('Redis'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Redis is not reachable at redis://127.0.0.1:${port}`);
    expect(lines[0]).toContain('redis-server');
    expect(stderr).not.toMatch(/Unhandled error event|worker error/);
  });

  it('check reports every part and says what to fix, exit 1 when something must be', async () => {
    const port = await closedPort();
    // A relay needs a reply secret of our own (issue 9): without one the configuration itself is refused.
    const r = await cityline(['check'], { SMTP_URL: `smtp://127.0.0.1:${port}`, CITYLINE_REPLY_SECRET: 'check-test-secret-0123456789' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^OK\s+Redis\s+redis:\/\/127\.0\.0\.1:6379: reachable$/m);
    expect(r.stdout).toMatch(/^OK\s+Redis policy\s+maxmemory-policy noeviction$/m);
    expect(r.stdout).toMatch(new RegExp(`^FAIL\\s+Outgoing mail\\s+smtp://127\\.0\\.0\\.1:${port}/?: connect ECONNREFUSED`, 'm'));
    expect(r.stdout).toContain('-> check the host and port in SMTP_URL');
    expect(r.stdout).toMatch(/^OK\s+Routing\s+.*routing\.json: \d+ departments$/m);
    expect(r.stdout).toMatch(/^OK\s+Classifier\s+.*model\.json: model [0-9a-f]{12}$/m);
    expect(r.stdout).toMatch(/1 to fix/);
  });

  it('check passes against the running services with the file outbox', async () => {
    const r = await cityline(['check'], { CITYLINE_OUTBOX_DIR: path.join(os.tmpdir(), 'cityline-check-outbox') });
    expect(r.stdout).toMatch(/^(OK|WARN)\s+PostgreSQL\s+postgres:\/\/postgres@127\.0\.0\.1:5432\/cityline311: /m);
    expect(r.stdout).toMatch(/^OK\s+Outgoing mail\s+SMTP_URL unset: mail is written as \.eml files to /m);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.code).toBe(0);
  });
});

describe('progress of long commands', () => {
  const devSet = path.join(PROJECT_ROOT, 'data', 'training', 'dev.jsonl');

  it('stays quiet when not on a terminal: stderr empty, stdout data', async () => {
    const r = await cityline(['eval', devSet], {});
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toHaveProperty('accuracy');
  });

  it('shows a bar to a person at a terminal (a real pty from script(1))', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', `${BIN} eval ${devSet}`, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), TERM: 'xterm' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    expect(out).toMatch(/eval \[=+\] 100% (\d+)\/\1/);
    expect(out).toContain('"accuracy"');
  });
});

describe('/healthz checks', () => {
  it('say which service is missing, with what to do', async () => {
    const port = await closedPort();
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const downPool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/cityline311` });
    const checks = await liveChecks(config, downPool).finally(() => downPool.end());
    expect(checks).toEqual([
      expect.objectContaining({ name: 'PostgreSQL', status: 'fail', detail: expect.stringContaining('ECONNREFUSED') }),
      expect.objectContaining({ name: 'Redis', status: 'fail', detail: expect.stringContaining(`redis://127.0.0.1:${port}`), fix: expect.stringContaining('redis-server') }),
    ]);
  });
});

describe('Redis going away while the system runs', () => {
  it('is one line saying what to start, not a flood, and one line when it is back', async () => {
    const port = await closedPort();
    const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const redis = spawn('redis-server', redisArgs, { stdio: 'ignore' });
    const inbox = await mkdtemp(path.join(os.tmpdir(), 'cityline-outage-'));
    const dbName = `cityline_outage_${process.pid}`;
    const child = spawn(BIN, ['start'], {
      env: {
        PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CITYLINE_LOG_LEVEL: 'info',
        REDIS_URL: `redis://127.0.0.1:${port}`, DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
        CITYLINE_WEB_PORT: '0', CITYLINE_DROP_DIR: path.join(inbox, 'in'), CITYLINE_OUTBOX_DIR: path.join(inbox, 'out'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let again: ReturnType<typeof spawn> | null = null;
    try {
      await waitFor(() => stderr.includes('CityLine is running'), 30_000, 'the system to start');
      redis.kill('SIGKILL');
      await waitFor(() => stderr.includes('Redis is not reachable'), 15_000, 'the outage line');
      // Every worker, queue and connection retries several times a second meanwhile.
      await new Promise((r) => setTimeout(r, 6_000));
      again = spawn('redis-server', redisArgs, { stdio: 'ignore' });
      await waitFor(() => stderr.includes('Redis is back'), 20_000, 'the recovery line');
    } finally {
      child.kill('SIGKILL');
      redis.kill('SIGKILL');
      again?.kill('SIGKILL');
      await rm(inbox, { recursive: true, force: true });
      const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
    const outage = stderr.split('\n').filter((l) => l.includes('Redis is not reachable'));
    expect(outage).toHaveLength(1);
    expect(outage[0]).toContain(`redis://127.0.0.1:${port}`);
    expect(outage[0]).toContain('redis-server');
    expect(stderr).not.toMatch(/worker error|queue error|Redis connection error|Unhandled error event/);
    expect(stderr.split('\n').filter((l) => l.includes('Redis is back'))).toHaveLength(1);
  }, 90_000);
});
