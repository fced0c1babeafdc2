// Peak memory on a hostile 40 MB message: `bin/cityline start` takes it from the drop folder through
// every stage; the process's peak resident set (VmHWM) is read from /proc.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTestDb, waitFor } from '../helpers/db.ts';
import { appEnv, launch, pendingWork, prepareFolders } from './harness.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** A resident's report with photos attached: base64 parts adding up to about sizeMb of message. */
function bigMessage(sizeMb: number): Buffer {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const parts = [
    'From: Big Sender <big@resident.example>',
    'To: cityline311@danbury.example',
    'Subject: Photos of the pothole on Main Street',
    `Message-ID: <big-${randomBytes(6).toString('hex')}@resident.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'There is a huge pothole in front of 40 Main Street. Photos attached.',
  ];
  const photos = 4;
  const perPhoto = Math.floor(((sizeMb * 1024 * 1024) / photos) * 0.74);
  for (let i = 0; i < photos; i++) {
    const b64 = randomBytes(perPhoto).toString('base64').replace(/.{76}/g, '$&\r\n');
    parts.push(`--${boundary}`, `Content-Type: image/jpeg; name="photo-${i}.jpg"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="photo-${i}.jpg"`, '', b64);
  }
  parts.push(`--${boundary}--`, '');
  return Buffer.from(parts.join('\r\n'));
}

it('a 40 MB message goes through every stage; peak RSS reported', async () => {
  const db = await createTestDb();
  cleanups.push(() => db.drop());
  const { url, pool: observer } = db;
  const f = await prepareFolders();
  cleanups.push(() => rm(f.root, { recursive: true, force: true }));
  const app = launch(appEnv({ databaseUrl: url, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...f, extra: { CITYLINE_MAX_ATTACHMENT_BYTES: String(12 * 1024 * 1024) } }));
  cleanups.push(async () => {
    if (app.alive()) app.child.kill('SIGKILL');
  });
  await waitFor(async () => (await observer.query(`SELECT to_regclass('public.requests') IS NOT NULL AS ok`)).rows[0]?.ok === true, 60_000, 'the migrations');
  await waitFor(async () => (await observer.query(`SELECT count(*)::int AS n FROM departments`)).rows[0]?.n > 0, 60_000, 'the routing');
  const idle = await peakRssMb(app.child.pid as number);
  const timeline: string[] = [];
  const sampler = setInterval(() => {
    void (async () => {
      const status = await readFile(`/proc/${app.child.pid}/status`, 'utf8').catch(() => '');
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
      const { rows: [s] } = await observer.query(`SELECT (SELECT string_agg(state, ',') FROM inbound_messages) AS i, (SELECT string_agg(state, ',') FROM outbox) AS o`);
      timeline.push(`${Math.round(rss)} ${s?.i ?? '-'} ${s?.o ?? '-'}`);
    })();
  }, 100);
  const raw = bigMessage(40);
  await writeFile(path.join(f.inbox, '.big.tmp'), raw);
  await rename(path.join(f.inbox, '.big.tmp'), path.join(f.inbox, 'big.eml'));
  await waitFor(async () => (await observer.query(`SELECT count(*)::int AS n FROM requests`)).rows[0]?.n === 1 && (await pendingWork(observer)) === 0, 120_000, 'the request and its mail');
  const peak = await peakRssMb(app.child.pid as number);
  clearInterval(sampler);
  if (process.env.FAULT_TIMELINE) console.info(timeline.join('\n'));
  const { rows } = await observer.query<{ kept: number; sent: number }>(
    `SELECT (SELECT count(*)::int FROM attachments WHERE content IS NOT NULL) AS kept, (SELECT count(*)::int FROM outbox WHERE state = 'sent') AS sent`,
  );
  console.info(`FAULT RUN 40 MB message: ${JSON.stringify({ rawMb: +(raw.length / 1048576).toFixed(1), peakRssMbBeforeMessage: Math.round(idle), peakRssMb: Math.round(peak), ...rows[0] })}`);
  expect(rows[0]?.kept).toBe(4);
  app.child.kill('SIGTERM');
  expect((await app.exited).code).toBe(0);
});
