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
import { createMailTransport, outboundChannel } from './notify/mail-transport.ts';
import { createTokenSource } from './oauth/index.ts';
import type { PipelineDeps } from './pipeline/deps.ts';
import { startSweeper, type Sweeper } from './pipeline/sweeper.ts';
import { loadRouting, syncRouting, type Routing } from './routing/rules.ts';
import { adminAlertMail } from './signin/admin-alert.ts';
import { channelName, createSignInReporter, type SignInReporter } from './signin/reporter.ts';
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
  /**
   * A stop asked for while starting (a signal during a long drop-folder backlog): what has started is
   * drained and closed, and startSystem rejects with StartAborted.
   */
  signal?: AbortSignal;
}

/** startSystem was told to stop before it had finished starting; everything it started is stopped. */
export class StartAborted extends Error {
  override name = 'StartAborted';
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

/**
 * Sign-in failures go to the database (for /healthz and the dashboard) and, when
 * CITYLINE_ADMIN_EMAIL is set, to the admin through the outgoing transport, unless that is the one
 * failing.
 */
function signInReporter(config: Config, pool: pg.Pool, log: Logger): SignInReporter {
  const to = config.adminEmail;
  if (to === null) return createSignInReporter({ db: pool, log });
  const outbound = outboundChannel(config);
  return createSignInReporter({
    db: pool,
    log,
    alert: async (channel, reason) => {
      if (channel === outbound) {
        throw new Error(`the only way this system sends email (${channelName(channel)}) is the one failing; the dashboard and /healthz show it`);
      }
      const t = createMailTransport(config, { log });
      try {
        await t.send(adminAlertMail(config, to, channel, reason));
      } finally {
        await t.close();
      }
    },
  });
}

export async function startSystem(config: Config, opts: SystemOptions = {}): Promise<System> {
  const log = opts.log ?? createLogger(config.logLevel);
  const stages = opts.stages ?? STAGES;
  if (opts.signal?.aborted) throw new StartAborted('stopped before starting');
  if (config.replySecretIsDefault) log.warn('CITYLINE_REPLY_SECRET is not set: reply addresses use the development secret');
  if (config.oncallEmail === null) log.warn('CITYLINE_ONCALL_EMAIL is not set: emergencies are flagged in the staff app but nobody is alerted by email');

  await ensureDatabase(config.databaseUrl).catch((err) => {
    throw new Error(`cannot reach PostgreSQL at ${redact(config.databaseUrl)}: ${describeError(err)}`, { cause: err });
  });
  const pool = createPool(config.databaseUrl, 20, { log });
  const closers: { name: string; close: () => Promise<void> }[] = [{ name: 'database pool', close: () => pool.end() }];
  try {
    await migrate(pool);
    const routing = await loadRouting(config.routingFile);
    await syncRouting(pool, routing);
    const targets = await loadServiceTargets(config.targetsFile);
    await checkRedisPolicy(config.redisUrl, log);
    const queues = createQueues(config.redisUrl, config.queuePrefix, log);
    closers.unshift({ name: 'queues', close: () => queues.close() });
    const signIn = signInReporter(config, pool, log);
    const deps: PipelineDeps = { pool, config, routing, enqueue: queues.enqueue, log, signIn };

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
        ? startImapIntake({
            imap: config.imap,
            db: pool,
            maxRawBytes: config.maxRawBytes,
            onStored,
            log,
            signIn,
            ...(config.imap.password === null && config.oauth ? { tokens: createTokenSource(config.oauth, config.imap.user) } : {}),
          })
        : startDropFolderIntake({ dir: config.dropDir, db: pool, maxRawBytes: config.maxRawBytes, onStored, log });
      closers.unshift({ name: 'intake', close: () => intake.stop() });
      // Digests and escalations run where intake runs: one process per installation.
      const accountability = startAccountability({ pool, config, routing, targets, enqueue: queues.enqueue, log });
      closers.unshift({ name: 'digests', close: () => accountability.stop() });
      await untilAborted(intake.ready, opts.signal);
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
    for (const { close } of closers) await close().catch((e) => log.error({ err: describeError(e) }, 'error while stopping'));
    if (opts.signal?.aborted) throw new StartAborted('stopped while starting', { cause: err });
    throw err;
  }
}

/** Waits for a step of the start, or rejects as soon as the start is aborted. */
function untilAborted<T>(step: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return step;
  if (signal.aborted) return Promise.reject(new StartAborted('stopped while starting'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new StartAborted('stopped while starting'));
    signal.addEventListener('abort', onAbort, { once: true });
    step.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
