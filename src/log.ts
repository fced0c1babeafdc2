import { pino, type Logger } from 'pino';

export type { Logger };

/** Logs go to stderr so that commands whose stdout is data (classify, eval, ingest) stay clean. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'cityline' } }, pino.destination(2));
}
