// cityline bench [--messages N] [--rate PER_SECOND] [--processes P]: generated mail through every stage on
// the configured PostgreSQL and Redis (in a database and queue prefix of its own, dropped afterwards), mail
// written to .eml files. Latency is arrival (stored) to the confirmation handed to the transport.
// --processes P runs P-1 extra `cityline worker` processes beside this one, as `cityline worker` scales out.
// --drop-folder writes the messages as .eml files into a drop folder first, then starts the drop-folder
// intake on it: a backlog dropped at once, taken through the real intake. --rss-curve FILE writes this
// process's RSS once a second (with the confirmations sent by then) as JSON. A progress bar is shown on
// stderr at a terminal; the last line of stdout is the result as JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startSystem } from '../../app.ts';
import { loadConfig, PROJECT_ROOT } from '../../config/index.ts';
import { STAGES } from '../../jobs/catalog.ts';
import { createQueues } from '../../jobs/queues.ts';
import { startDropFolderIntake, type DropFolderIntake } from '../../intake/drop-folder.ts';
import { storeRawMessage } from '../../intake/store.ts';
import { createLogger } from '../../log.ts';
import { generateMessage } from '../../bench/generate.ts';
import { progressBar } from '../progress.ts';

// Messages stored at once when there is no --rate: few enough to leave the pool's connections to the workers.
const STORE_BATCH = 8;

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
  return n;
}

function stringOption(args: string[], name: string): string | null {
  const i = args.indexOf(name);
  if (i < 0) return null;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a file name`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export async function run(args: string[]): Promise<number> {
  const messages = Math.floor(option(args, '--messages', 2000));
  const rate = args.includes('--rate') ? option(args, '--rate', 50) : null;
  const processes = Math.floor(option(args, '--processes', 1));
  const viaDropFolder = args.includes('--drop-folder');
  const rssCurveFile = stringOption(args, '--rss-curve');
  if (viaDropFolder && rate) throw new Error('--drop-folder is a backlog dropped at once: it takes no --rate');
  const base = loadConfig();
  const runId = randomBytes(4).toString('hex');
  const dbUrl = new URL(base.databaseUrl);
  const dbName = `${dbUrl.pathname.slice(1) || 'cityline311'}_bench_${runId}`;
  dbUrl.pathname = `/${dbName}`;
  const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'cityline-bench-'));
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    CITYLINE_QUEUE_PREFIX: `bench-${runId}`,
    SMTP_URL: '',
    IMAP_URL: '',
    CITYLINE_OUTBOX_DIR: outboxDir,
    CITYLINE_SEND_RATE_PER_MINUTE: '0',
    CITYLINE_LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const log = createLogger('warn');
  const system = await startSystem(config, { intake: false, web: false, log, sweep: { intervalMs: 60_000, graceSeconds: 600 } });
  const extra: ChildProcess[] = [];
  for (let i = 1; i < processes; i++) {
    extra.push(spawn(path.join(PROJECT_ROOT, 'bin', 'cityline'), ['worker', 'parse', 'classify', 'notify'], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  }
  const sentQuery = `SELECT count(*)::int AS n FROM outbox WHERE kind IN ('confirmation', 'duplicate_notice') AND state = 'sent'`;
  const countSent = async (): Promise<number> => (await system.pool.query<{ n: number }>(sentQuery)).rows[0]?.n ?? 0;
  let sent = 0;
  // memoryUsage.rss(), not memoryUsage(): the full call walks the heap, and ten times a second it showed
  // in the profile as 3% of the run.
  let peakRss = process.memoryUsage.rss();
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);
  const curve: { second: number; rssMb: number; heapMb: number; sent: number }[] = [];
  let started = performance.now();
  const curveTimer = setInterval(() => {
    const m = process.memoryUsage();
    curve.push({ second: Math.round((performance.now() - started) / 1000), rssMb: Math.round(m.rss / 1048576), heapMb: Math.round(m.heapUsed / 1048576), sent });
  }, 1000);
  const bar = progressBar('confirmations', messages);
  let polling = false;
  const progressTimer = setInterval(() => {
    if (polling) return;
    polling = true;
    countSent()
      .then((n) => {
        sent = n;
        bar.update(n);
      }, () => {})
      .finally(() => {
        polling = false;
      });
  }, 500);
  let intake: DropFolderIntake | null = null;
  let dropDir: string | null = null;
  try {
    const how = viaDropFolder ? ' dropped at once into a drop folder' : rate ? ` at ${rate}/s` : ' as fast as they go';
    process.stderr.write(`bench: ${messages} messages${how} through parse, classify, notify in ${processes} process(es)\n`);
    const store = async (i: number): Promise<number> => {
      const raw = generateMessage(i, { to: config.fromAddress, runId });
      return (await storeRawMessage(system.pool, { raw, source: 'bench', sourceRef: `${runId}-${i}`, maxRawBytes: config.maxRawBytes })).id;
    };
    if (viaDropFolder) {
      dropDir = `${outboxDir}-inbox`;
      await mkdir(dropDir);
      // All written before the intake starts: the whole backlog is there at once, as when a folder is copied in.
      for (let i = 0; i < messages; i++) await writeFile(path.join(dropDir, `m${String(i).padStart(6, '0')}.eml`), generateMessage(i, { to: config.fromAddress, runId }));
      started = performance.now();
      curve.length = 0;
      intake = startDropFolderIntake({
        dir: dropDir,
        db: system.pool,
        maxRawBytes: config.maxRawBytes,
        onStored: async (id) => {
          await system.queues.requeue('parse', { inboundMessageId: id });
        },
        log,
      });
      intake.ready.catch(() => {});
    } else if (rate) {
      started = performance.now();
      for (let i = 0; i < messages; i++) {
        const wait = started + (i * 1000) / rate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await system.queues.enqueue('parse', { inboundMessageId: await store(i) });
      }
    } else {
      started = performance.now();
      // As fast as they go is a backlog: stored a few at a time and queued together, as intake drains
      // one, so that the store loop (which shares this process with the workers) is not the limit.
      for (let i = 0; i < messages; i += STORE_BATCH) {
        const batch = Array.from({ length: Math.min(STORE_BATCH, messages - i) }, (_, k) => i + k);
        const ids = await Promise.all(batch.map(store));
        await system.queues.enqueueBulk('parse', ids.map((inboundMessageId) => ({ inboundMessageId })));
      }
    }
    const deadline = Date.now() + Math.max(120_000, messages * 50);
    for (;;) {
      sent = await countSent();
      if (sent >= messages) break;
      if (Date.now() > deadline) throw new Error(`only ${sent} of ${messages} confirmations were sent before the deadline`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await system.pool.query<{ ms: number }>(
      `SELECT extract(epoch FROM o.sent_at - i.received_at) * 1000 AS ms
         FROM outbox o JOIN requests r ON r.id = o.request_id JOIN inbound_messages i ON i.id = r.source_message_id
        WHERE o.kind IN ('confirmation', 'duplicate_notice') ORDER BY ms`,
    );
    const latencies = rows.map((r) => Number(r.ms));
    const { rows: stages } = await system.pool.query<{ review: number; routed: number }>(
      `SELECT count(*) FILTER (WHERE status = 'needs_review')::int AS review, count(*) FILTER (WHERE status = 'routed')::int AS routed FROM requests`,
    );
    const result = {
      messages,
      seconds: Number(seconds.toFixed(2)),
      messagesPerSecond: Number((messages / seconds).toFixed(1)),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
    clearInterval(curveTimer);
    bar.update(sent);
    bar.stop();
    if (rssCurveFile) {
      await mkdir(path.dirname(path.resolve(rssCurveFile)), { recursive: true });
      await writeFile(rssCurveFile, `${JSON.stringify({ command: `cityline bench ${args.join(' ')}`, at: new Date().toISOString(), loadAverage: os.loadavg(), result, samples: curve }, null, 1)}\n`);
    }
    process.stdout.write(`requests routed: ${stages[0]?.routed ?? 0}, waiting for review: ${stages[0]?.review ?? 0}\n`);
    process.stdout.write(`throughput: ${result.messagesPerSecond} messages/s over ${result.seconds} s\n`);
    process.stdout.write(`arrival to confirmation: p50 ${result.p50Ms} ms, p90 ${Math.round(percentile(latencies, 90))} ms, p99 ${result.p99Ms} ms\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    clearInterval(rssTimer);
    clearInterval(curveTimer);
    clearInterval(progressTimer);
    bar.stop();
    await intake?.stop();
    await Promise.all(extra.map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))));
    await system.stop();
    const leftovers = createQueues(config.redisUrl, config.queuePrefix, log);
    for (const stage of STAGES) await leftovers.queue(stage).obliterate({ force: true }).catch(() => {});
    await leftovers.close();
    await rm(outboxDir, { recursive: true, force: true });
    if (dropDir) await rm(dropDir, { recursive: true, force: true });
    const admin = new URL(base.databaseUrl);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`).catch(() => {});
    await client.end();
  }
}
