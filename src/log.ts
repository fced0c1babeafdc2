import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Logs go to stderr so that commands whose stdout is data (classify, eval, ingest) stay clean: JSON lines
 * for log collectors, or readable lines when a person is watching a terminal.
 */
export function createLogger(level: string): Logger {
  if (process.stderr.isTTY) {
    return pino({ level }, pino.transport({ target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } }));
  }
  return pino({ level, base: { app: 'cityline' } }, pino.destination(2));
}
