// Start-up waits for PostgreSQL and Redis instead of failing or flooding the log: one clear line per
// missing service, said again at most once a minute, until it answers.
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { checkPostgres, checkRedis, type CheckResult } from './checks.ts';

export interface WaitOptions {
  retryMs?: number;
  repeatMs?: number;
  /** Stops the wait (a signal while waiting): the caller sees the abort and starts nothing. */
  signal?: AbortSignal;
}

export async function waitForServices(config: Config, log: Logger, opts: WaitOptions = {}): Promise<void> {
  const retryMs = opts.retryMs ?? 2_000;
  const repeatMs = opts.repeatMs ?? 60_000;
  const lastSaid = new Map<string, number>();
  while (!opts.signal?.aborted) {
    const results: CheckResult[] = [await checkPostgres(config), ...(await checkRedis(config))];
    const missing = results.filter((r) => r.status === 'fail');
    if (missing.length === 0) {
      if (lastSaid.size > 0) log.info('PostgreSQL and Redis answer: starting');
      return;
    }
    const now = Date.now();
    for (const r of missing) {
      const said = lastSaid.get(r.name);
      if (said !== undefined && now - said < repeatMs) continue;
      lastSaid.set(r.name, now);
      log.warn(`${r.name} is ${r.detail}. To fix: ${r.fix ?? 'see bin/cityline check'}. Waiting for it...`);
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
