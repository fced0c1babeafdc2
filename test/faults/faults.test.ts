// Fault runs (`npm run test:faults`): the real system under load while its peers fail, with exact counts.
// Each run has its own database (and, where the run kills one, its own PostgreSQL or Redis server).
import { readdir, rm } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../src/db/pool.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { STAGES } from '../../src/jobs/catalog.ts';
import { createTestDb, waitFor } from '../helpers/db.ts';
import {
  appEnv, counts, dropLoad, freePort, launch, pendingWork, prepareFolders, report,
  startOwnPostgres, startOwnRedis, waitUntilDrained, type App, type Counts,
} from './harness.ts';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.FAULT_MESSAGES ?? 600);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A database of the run's own on the shared server, and a pool to watch it (named, so it is never terminated). */
async function ownDatabase(): Promise<{ url: string; observer: pg.Pool }> {
  const db = await createTestDb();
  const observer = createPool(`${db.url}?application_name=fault-observer`, 2);
  cleanups.push(async () => {
    await observer.end();
    await db.drop();
  });
  return { url: db.url, observer };
}

async function folders() {
  const f = await prepareFolders();
  cleanups.push(() => rm(f.root, { recursive: true, force: true }));
  return f;
}

function started(app: App): App {
  cleanups.push(async () => {
    if (app.alive()) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
  return app;
}

async function requestsOpened(db: pg.Pool): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM requests')).rows[0]?.n ?? 0;
}

/** Waits (without a fixed sleep) until the migrations have made the tables the observer reads. */
async function schemaReady(db: pg.Pool): Promise<void> {
  await waitFor(async () => (await db.query(`SELECT to_regclass('public.requests') IS NOT NULL AS ok`)).rows[0]?.ok === true, 60_000, 'the migrations');
}

function expectExact(c: Counts): void {
  expect({ lost: c.lost, duplicateRequests: c.duplicateRequests, duplicateConfirmations: c.duplicateConfirmations, duplicateConfirmationFiles: c.duplicateConfirmationFiles, unanswered: c.unanswered, unsent: c.unsent })
    .toEqual({ lost: 0, duplicateRequests: 0, duplicateConfirmations: 0, duplicateConfirmationFiles: 0, unanswered: 0, unsent: 0 });
  expect(c.requests).toBe(c.expected);
  expect(c.files).toBe(c.sent);
}

async function stopGracefully(app: App): Promise<void> {
  app.child.kill('SIGTERM');
  expect((await app.exited).code).toBe(0);
}

describe('fault runs', () => {
  it('PostgreSQL terminates the connections mid-load: the process stays up and drains', async () => {
    const { url, observer } = await ownDatabase();
    const f = await folders();
    const app = started(launch(appEnv({ databaseUrl: url, redisUrl: SHARED_REDIS, ...f })));
    await schemaReady(observer);
    await dropLoad(f.inbox, N);
    let terminated = 0;
    for (let round = 1; round <= 6; round++) {
      await waitFor(async () => (await requestsOpened(observer)) >= (round * N) / 8, 120_000, `round ${round}`);
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'fault-observer'`,
      );
      terminated += rows[0]?.n ?? 0;
    }
    await waitUntilDrained(observer, N, 300_000);
    expect(app.alive()).toBe(true);
    expect(app.stderr()).not.toMatch(/Unhandled 'error' event/);
    const c = await counts(observer, N, f.outbox);
    report('pg_terminate_backend x6', c, { terminatedConnections: terminated, connectionLostLogLines: (app.stderr().match(/PostgreSQL connection lost/g) ?? []).length });
    expectExact(c);
    expect(terminated).toBeGreaterThan(6);
    await stopGracefully(app);
  });

  it('its own PostgreSQL server stopped and started mid-load: the process stays up and drains', async () => {
    const server = await startOwnPostgres();
    cleanups.push(() => server.destroy());
    const url = server.url('cityline311');
    const f = await folders();
    const app = started(launch(appEnv({ databaseUrl: url, redisUrl: SHARED_REDIS, ...f })));
    const observer = createPool(`${url}?application_name=fault-observer`, 2);
    cleanups.push(() => observer.end());
    await waitFor(async () => {
      await schemaReady(observer);
      return true;
    }, 60_000, 'the database');
    await dropLoad(f.inbox, N);
    await waitFor(async () => (await requestsOpened(observer)) >= N / 4, 120_000, 'a quarter of the load');
    const stoppedAt = Date.now();
    await server.stop('fast');
    await sleep(8_000);
    expect(app.alive()).toBe(true);
    await server.start();
    const restartedAt = Date.now();
    await waitUntilDrained(observer, N, 300_000);
    const drainedAt = Date.now();
    expect(app.alive()).toBe(true);
    const c = await counts(observer, N, f.outbox);
    report('own PostgreSQL stopped 8 s mid-load', c, { downMs: restartedAt - stoppedAt, restartToDrainedMs: drainedAt - restartedAt });
    expectExact(c);
    await stopGracefully(app);
  });

  it('its own Redis killed mid-load and started empty: intake does not wait, and the sweeper queues what was lost', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.destroy());
    const { url, observer } = await ownDatabase();
    const f = await folders();
    const webPort = await freePort();
    const token = 'fault-run-inbound-token-0123456789';
    const app = started(launch(appEnv({ databaseUrl: url, redisUrl: redis.url, ...f, extra: { CITYLINE_WEB_PORT: String(webPort), CITYLINE_INBOUND_TOKEN: token } })));
    await schemaReady(observer);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${webPort}/health`).then((r) => r.status, () => 0)) !== 0, 60_000, 'the web app');
    await dropLoad(f.inbox, N);
    await waitFor(async () => (await requestsOpened(observer)) >= N / 4, 120_000, 'a quarter of the load');
    await redis.kill();
    const killedAt = Date.now();
    // While Redis is away: the web form is answered at once, and the drop folder keeps its pace.
    const formStarted = Date.now();
    const form = await fetch(`http://127.0.0.1:${webPort}/inbound/form`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'form-resident@bench.example', name: 'Form Resident', subject: 'Pothole', body: 'There is a pothole in front of 12 Main Street.', channel: 'web', id: 'fault-form-1' }),
    });
    const formMs = Date.now() - formStarted;
    expect(form.status).toBe(202);
    const before = (await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages')).rows[0]?.n ?? 0;
    const extra = 50;
    const dropStarted = Date.now();
    await dropLoad(f.inbox, extra);
    await waitFor(async () => ((await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages')).rows[0]?.n ?? 0) >= N + extra + 1, 60_000, 'the drop folder to store everything while Redis is down');
    const dropMs = Date.now() - dropStarted;
    expect(app.alive()).toBe(true);
    await sleep(Math.max(0, 3_000 - (Date.now() - killedAt)));
    await redis.start();
    const restartedAt = Date.now();
    await waitUntilDrained(observer, N + extra + 1, 300_000);
    const c = await counts(observer, N + extra + 1, f.outbox);
    report('own Redis killed mid-load, restarted empty', { ...c }, { formAnswerMsWhileRedisDown: formMs, storedBeforeExtra: before, extraDropFilesStoredMs: dropMs, restartToDrainedMs: Date.now() - restartedAt });
    expectExact(c);
    expect(formMs).toBeLessThan(2_500);
    await stopGracefully(app);
  });

  it('SIGTERM while the drop-folder backlog is stored: a clean exit, nothing left active or sending, then everything once', async () => {
    const { url, observer } = await ownDatabase();
    const f = await folders();
    const env = appEnv({ databaseUrl: url, redisUrl: SHARED_REDIS, ...f, extra: { CITYLINE_LOG_LEVEL: 'info' } });
    await dropLoad(f.inbox, N);
    const app = started(launch(env));
    await schemaReady(observer);
    await waitFor(async () => ((await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages')).rows[0]?.n ?? 0) >= 30, 60_000, 'the backlog to be taken');
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    const exitMs = Date.now() - signalledAt;
    expect(app.stderr()).toMatch(/stopping while starting/);
    expect(exit.code).toBe(0);
    const sending = (await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state = 'sending'`)).rows[0]?.n;
    const queues = createQueues(SHARED_REDIS, env.CITYLINE_QUEUE_PREFIX as string, pino({ level: 'silent' }));
    let active = 0;
    for (const stage of STAGES) active += await queues.queue(stage).getActiveCount();
    await queues.close();
    const storedAtExit = (await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages')).rows[0]?.n ?? 0;
    expect(sending).toBe(0);
    expect(active).toBe(0);
    expect(storedAtExit).toBeLessThan(N);

    const again = started(launch(env));
    await waitUntilDrained(observer, N, 300_000);
    const c = await counts(observer, N, f.outbox);
    report('SIGTERM during start-up', c, { storedAtExit, exitMs, sendingAtExit: sending, activeJobsAtExit: active });
    expectExact(c);
    expect((await readdir(f.inbox)).filter((n) => n.endsWith('.eml'))).toEqual([]);
    await stopGracefully(again);
  });

  it('SIGKILL mid-send with the file outbox, five times: no file is written twice', async () => {
    const { url, observer } = await ownDatabase();
    const f = await folders();
    const env = appEnv({ databaseUrl: url, redisUrl: SHARED_REDIS, ...f });
    let app = started(launch(env));
    await schemaReady(observer);
    await dropLoad(f.inbox, N);
    const kills: { files: number; sending: number }[] = [];
    for (let k = 1; k <= 5; k++) {
      await waitFor(async () => (await readdir(f.outbox).catch(() => [] as string[])).length >= (k * N) / 7, 180_000, `kill ${k}`);
      app.child.kill('SIGKILL');
      await app.exited;
      const sending = (await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state = 'sending'`)).rows[0]?.n ?? 0;
      kills.push({ files: (await readdir(f.outbox)).filter((n) => n.endsWith('.eml')).length, sending });
      app = started(launch(env));
    }
    await waitUntilDrained(observer, N, 300_000);
    const c = await counts(observer, N, f.outbox);
    report('SIGKILL mid-send x5 (file outbox)', c, { kills });
    expectExact(c);
    await stopGracefully(app);
  });

  it('recovery after a crash: SIGKILL with work in progress, restart at once, time until everything is done', async () => {
    const figures: number[] = [];
    for (let k = 0; k < 2; k++) {
      const { url, observer } = await ownDatabase();
      const f = await folders();
      const env = appEnv({ databaseUrl: url, redisUrl: SHARED_REDIS, ...f, extra: process.env.FAULT_LOCK_SECONDS ? { CITYLINE_JOB_LOCK_SECONDS: process.env.FAULT_LOCK_SECONDS } : {} });
      const app = started(launch(env));
      await schemaReady(observer);
      await dropLoad(f.inbox, 300);
      await waitFor(async () => (await requestsOpened(observer)) >= 150, 120_000, 'half the load');
      app.child.kill('SIGKILL');
      const killedAt = Date.now();
      await app.exited;
      const left = await pendingWork(observer);
      const again = started(launch(env));
      await waitUntilDrained(observer, 300, 300_000);
      figures.push(Date.now() - killedAt);
      const c = await counts(observer, 300, f.outbox);
      report(`recovery ${k + 1}`, c, { leftAtKill: left, killToDrainedMs: Date.now() - killedAt, lockSeconds: env.CITYLINE_JOB_LOCK_SECONDS ?? 'default' });
      expectExact(c);
      await stopGracefully(again);
    }
    console.info(`FAULT RUN recovery: kill to drained ${figures.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  });
});
