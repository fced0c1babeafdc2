// Wires the parts into a running system: one function to start what a process should run, one to stop it.
import type pg from 'pg';
import { Redis } from 'ioredis';
import type { Config } from './config/index.ts';
import { redact } from './config/index.ts';
import { createPool, ensureDatabase } from './db/pool.ts';
import { migrate } from './db/migrate.ts';
import { describeError } from './errors.ts';
import { startDropFolderIntake } from './intake/drop-folder.ts';
import { startImapIntake } from './intake/imap.ts';
import { STAGES, type Stage } from './jobs/catalog.ts';
import type { RunningStage, StageDefinition } from './jobs/define-stage.ts';
import { createQueues, type Queues } from './jobs/queues.ts';
import { createLogger, type Logger } from './log.ts';
import type { PipelineDeps } from './pipeline/deps.ts';
import { startSweeper, type Sweeper } from './pipeline/sweeper.ts';
import { loadRouting, syncRouting, type Routing } from './routing/rules.ts';
import { startAccountability } from './accountability/scheduler.ts';
import { loadServiceTargets } from './targets/service-targets.ts';
import { createWebApp } from './web/app.ts';
import { classifyStage } from '../workers/classify.ts';
import { notifyStage } from '../workers/notify.ts';
import { parseStage } from '../workers/parse.ts';

/** The running pipeline: every stage of the job catalog, each declared in its own file under workers/. */
const STAGE_REGISTRY: { [S in Stage]: StageDefinition<S> } = { parse: parseStage, classify: classifyStage, notify: notifyStage };

export interface SystemOptions {
  /** Pipeline stages to run in this process; all by default. */
  stages?: readonly Stage[];
  /** Watch the mailbox (IMAP_URL) or the drop folder. */
  intake?: boolean;
  web?: boolean;
  log?: Logger;
  /** How often stalled work is looked for, and how old it must be. */
  sweep?: { intervalMs: number; graceSeconds: number };
}

export interface System {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly queues: Queues;
  readonly routing: Routing;
  readonly log: Logger;
  /** http://host:port of the staff app, when it runs. */
  readonly webUrl: string | null;
  readonly sweeper: Sweeper;
  /** Drains and closes everything; safe to call twice. */
  stop(): Promise<void>;
}

/** BullMQ loses jobs when Redis evicts keys under memory pressure. */
async function checkRedisPolicy(redisUrl: string, log: Logger): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      log.warn({ policy }, 'Redis maxmemory-policy should be noeviction: with eviction, queued jobs can disappear');
    }
  } catch (err) {
    log.warn({ err: describeError(err) }, 'could not read Redis maxmemory-policy');
  } finally {
    redis.disconnect();
  }
}

export async function startSystem(config: Config, opts: SystemOptions = {}): Promise<System> {
  const log = opts.log ?? createLogger(config.logLevel);
  const stages = opts.stages ?? STAGES;
  if (config.replySecretIsDefault) log.warn('CITYLINE_REPLY_SECRET is not set: reply addresses use the development secret');

  await ensureDatabase(config.databaseUrl).catch((err) => {
    throw new Error(`cannot reach PostgreSQL at ${redact(config.databaseUrl)}: ${describeError(err)}`, { cause: err });
  });
  const pool = createPool(config.databaseUrl, 20);
  const closers: { name: string; close: () => Promise<void> }[] = [{ name: 'database pool', close: () => pool.end() }];
  try {
    await migrate(pool);
    const routing = await loadRouting(config.routingFile);
    await syncRouting(pool, routing);
    const targets = await loadServiceTargets(config.targetsFile);
    await checkRedisPolicy(config.redisUrl, log);
    const queues = createQueues(config.redisUrl, config.queuePrefix, log);
    closers.unshift({ name: 'queues', close: () => queues.close() });
    const deps: PipelineDeps = { pool, config, routing, enqueue: queues.enqueue, log };

    const running: RunningStage[] = [];
    closers.unshift({
      name: 'workers',
      close: async () => {
        await Promise.all(running.map((r) => r.close()));
      },
    });
    for (const stage of stages) running.push(await STAGE_REGISTRY[stage].start(deps));

    const sweeper = startSweeper({ pool, log, queues }, opts.sweep ?? { intervalMs: 15_000, graceSeconds: 30 });
    closers.unshift({ name: 'sweeper', close: () => sweeper.stop() });

    if (opts.intake ?? true) {
      // requeue, not enqueue: a job with this id kept from an earlier life of the database must not
      // hold up a new message.
      const onStored = async (id: number): Promise<void> => {
        await queues.requeue('parse', { inboundMessageId: id });
      };
      const intake = config.imap
        ? startImapIntake({ imap: config.imap, db: pool, maxRawBytes: config.maxRawBytes, onStored, log })
        : startDropFolderIntake({ dir: config.dropDir, db: pool, maxRawBytes: config.maxRawBytes, onStored, log });
      closers.unshift({ name: 'intake', close: () => intake.stop() });
      // Digests and escalations run where intake runs: one process per installation.
      const accountability = startAccountability({ pool, config, routing, targets, enqueue: queues.enqueue, log });
      closers.unshift({ name: 'digests', close: () => accountability.stop() });
      await intake.ready;
      log.info(config.imap ? { mailbox: redact(config.imap.url) } : { dropDir: config.dropDir }, 'intake running');
    }

    let webUrl: string | null = null;
    if (opts.web ?? true) {
      const app = await createWebApp({ pool, config, routing, targets, queues, log });
      const address = await app.listen({ port: config.webPort, host: config.webHost });
      webUrl = address;
      closers.unshift({ name: 'web app', close: () => app.close() });
      log.info({ url: webUrl }, 'staff app listening');
    }
    log.info({ stages }, 'pipeline running');

    let stopping: Promise<void> | null = null;
    return {
      config,
      pool,
      queues,
      routing,
      log,
      webUrl,
      sweeper,
      stop() {
        stopping ??= (async () => {
          for (const { name, close } of closers) {
            log.debug({ part: name }, 'stopping');
            await close().catch((err) => log.error({ part: name, err: describeError(err) }, 'error while stopping'));
          }
          log.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const { close } of closers) await close().catch(() => {});
    throw err;
  }
}
