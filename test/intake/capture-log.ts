// A real pino logger whose lines the test can read back.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  log: Logger;
  lines: { level: number; msg: string; [k: string]: unknown }[];
  has(fragment: string): boolean;
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  return { log, lines, has: (fragment) => lines.some((l) => l.msg.includes(fragment)) };
}
