// A progress bar on stderr for long commands, shown only to a person at a terminal: piped or in CI the
// command stays quiet and its stdout stays data.
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Moves the bar to `done` of the total (clamped). */
  update(done: number): void;
  increment(by?: number): void;
  stop(): void;
}

const QUIET: Progress = { update() {}, increment() {}, stop() {} };

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return QUIET;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total} {eta_formatted} left`,
    stream,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (done) => bar.update(Math.min(done, total)),
    increment: (by = 1) => bar.increment(by),
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
