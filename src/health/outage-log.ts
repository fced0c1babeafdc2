// While PostgreSQL or Redis is away every connection, queue and worker reports it, several times a
// second: a person needs one line saying what is missing and how to bring it back, said again at most
// once a minute, and one line when it is back. Errors that are not an outage are logged as they come.
import { describeError, isUnavailable } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface ServiceErrors {
  /** Logs an error from one of this service's clients; `what` names the client ("queue", "worker"). */
  report(err: unknown, what: string): void;
  /** A client reconnected: the outage, if one was reported, is over. */
  recovered(): void;
}

export interface Service {
  /** "Redis" */
  name: string;
  /** Where, without a password: "redis://127.0.0.1:6379". */
  where: string;
  /** What to do, e.g. "start it (Debian: ...)". */
  fix: string;
}

export const START_POSTGRES =
  'start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or apt-get install postgresql), or set DATABASE_URL';
export const START_REDIS =
  'start it (Debian: apt-get install redis-server, then redis-server --daemonize yes --maxmemory-policy noeviction), or set REDIS_URL';

const REPEAT_MS = 60_000;

export function serviceErrors(log: Logger, service: Service, now: () => number = Date.now): ServiceErrors {
  let saidAt: number | null = null;
  let last: string | null = null;
  return {
    report(err, what) {
      const message = describeError(err);
      if (isUnavailable(err)) {
        if (saidAt !== null && now() - saidAt < REPEAT_MS) return;
        saidAt = now();
        log.warn(`${service.name} is not reachable at ${service.where} (${message}). To fix: ${service.fix}. Work waits and goes on when it is back.`);
        return;
      }
      // The same error again and again from one client is one line.
      if (message === last) return;
      last = message;
      log.error({ err: message }, `${what} error`);
    },
    recovered() {
      last = null;
      if (saidAt === null) return;
      saidAt = null;
      log.info(`${service.name} is back at ${service.where}`);
    },
  };
}
