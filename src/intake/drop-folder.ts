// The development intake: .eml files placed in a folder are stored, then moved to processed/.
// A file that can never be stored goes to failed/ with a note saying why; nothing is deleted.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, opendir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/pool.ts';
import { describeError, PermanentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { notifyStored } from './notify-stored.ts';
import { storeRawMessage } from './store.ts';
import { backoffMs, createWaker } from './waits.ts';

export interface DropFolderOptions {
  dir: string;
  db: Db;
  maxRawBytes: number;
  onStored: (id: number) => Promise<void>;
  log: Logger;
  /** How often the folder is scanned besides the change notifications (default 2000 ms). */
  pollMs?: number;
}

export interface DropFolderIntake {
  /** Resolves once the folders exist and the files present at start have been taken. */
  ready: Promise<void>;
  /** Idempotent. */
  stop(): Promise<void>;
}

// A file is taken once its size and mtime have not changed across two looks this far apart,
// so one still being written (or copied over the network) is left alone.
const SETTLE_MS = 250;

interface Look {
  size: number;
  mtimeMs: number;
  at: number;
}

// 'took': something was stored, so the folder is read again at once: entries renamed away during a
// streamed read can hide others from that read, never from the next.
type Outcome = 'idle' | 'took' | 'unsettled' | 'retry';

// Names read from the folder at a time, and files stored at once (each up to CITYLINE_MAX_RAW_BYTES).
const LIST_BATCH = 256;
const TAKE_AT_ONCE = 4;

export function startDropFolderIntake(opts: DropFolderOptions): DropFolderIntake {
  const { dir, db } = opts;
  const log = opts.log.child({ component: 'drop-folder', dir });
  const processedDir = path.join(dir, 'processed');
  const failedDir = path.join(dir, 'failed');
  const pollMs = opts.pollMs ?? 2_000;
  const waker = createWaker();
  const looks = new Map<string, Look>();
  let stopping = false;
  let readyDone = false;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });

  // The folder is read as a stream, a batch of names at a time, and each batch is stored before the
  // next is read: a backlog of any size costs one batch of names and TAKE_AT_ONCE messages of memory.
  async function scan(): Promise<Outcome> {
    const seen = new Set<string>();
    let took = false;
    let unsettled = false;
    let batch: string[] = [];
    const flush = async (): Promise<Outcome> => {
      const outcome = await takeBatch(batch.sort(), seen);
      batch = [];
      if (outcome === 'took') took = true;
      if (outcome === 'unsettled') unsettled = true;
      return outcome;
    };
    // for await closes the directory however the loop ends.
    for await (const e of await opendir(dir, { bufferSize: LIST_BATCH })) {
      if (stopping) return 'idle';
      if (!e.isFile() || !e.name.endsWith('.eml') || e.name.startsWith('.')) continue;
      batch.push(e.name);
      if (batch.length >= LIST_BATCH && (await flush()) === 'retry') return 'retry';
    }
    if (batch.length > 0 && (await flush()) === 'retry') return 'retry';
    if (stopping) return 'idle';
    // Only files still settling are remembered; forget those gone since (taken elsewhere, renamed).
    for (const name of looks.keys()) if (!seen.has(name)) looks.delete(name);
    return took ? 'took' : unsettled ? 'unsettled' : 'idle';
  }

  async function takeBatch(names: string[], seen: Set<string>): Promise<Outcome> {
    const ready: { name: string; size: number }[] = [];
    let unsettled = false;
    for (const name of names) {
      const st = await stat(path.join(dir, name)).catch(() => null);
      if (!st) continue;
      const now = Date.now();
      const prev = looks.get(name);
      // Settled: unchanged across two looks SETTLE_MS apart, or, at first sight, not written for SETTLE_MS
      // (a backlog is then taken in one pass instead of being looked at twice).
      const settled = prev ? prev.size === st.size && prev.mtimeMs === st.mtimeMs && now - prev.at >= SETTLE_MS : now - st.mtimeMs >= SETTLE_MS;
      if (settled) {
        ready.push({ name, size: st.size });
        continue;
      }
      if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) looks.set(name, { size: st.size, mtimeMs: st.mtimeMs, at: now });
      seen.add(name);
      unsettled = true;
    }
    for (let i = 0; i < ready.length; i += TAKE_AT_ONCE) {
      if (stopping) return 'idle';
      const outcomes = await Promise.all(ready.slice(i, i + TAKE_AT_ONCE).map(({ name, size }) => take(name, size)));
      for (const { name } of ready.slice(i, i + TAKE_AT_ONCE)) looks.delete(name);
      if (outcomes.includes('retry')) return 'retry';
    }
    return ready.length > 0 ? 'took' : unsettled ? 'unsettled' : 'idle';
  }

  async function take(name: string, size: number): Promise<'done' | 'retry'> {
    const file = path.join(dir, name);
    try {
      if (size > opts.maxRawBytes) {
        throw new PermanentError(`message is ${size} bytes, over the ${opts.maxRawBytes}-byte cap (CITYLINE_MAX_RAW_BYTES)`, 'MESSAGE_TOO_LARGE');
      }
      const raw = await readFile(file);
      const sourceRef = `${name}:${createHash('sha256').update(raw).digest('hex')}`;
      const stored = await storeRawMessage(db, { raw, source: 'drop', sourceRef, maxRawBytes: opts.maxRawBytes });
      await notifyStored(opts.onStored, stored.id, log);
      const to = await moveInto(processedDir, file, name);
      log.info({ file: name, inboundMessageId: stored.id, created: stored.created, movedTo: to }, 'message stored');
      return 'done';
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return 'done'; // taken away by someone else
      if (err instanceof PermanentError) {
        const to = await moveInto(failedDir, file, name);
        await writeFile(`${to}.error.txt`, `${new Date().toISOString()} ${err.code}: ${err.message}\n`);
        log.error({ file: name, code: err.code, err: err.message, movedTo: to }, 'file can never be stored: moved to failed/');
        return 'done';
      }
      log.warn({ file: name, err: describeError(err) }, 'could not store the file (database unavailable?): it stays; retrying');
      return 'retry';
    }
  }

  const loop = (async () => {
    let watcher: FSWatcher;
    try {
      await mkdir(processedDir, { recursive: true });
      await mkdir(failedDir, { recursive: true });
      watcher = watch(dir, () => waker.wake());
      watcher.on('error', (err) => log.warn({ err: describeError(err) }, 'folder watch failed; relying on periodic scans'));
    } catch (err) {
      readyDone = true;
      rejectReady(new Error(`cannot use the drop folder ${dir}: ${describeError(err)}`, { cause: err }));
      return;
    }
    log.info('watching the drop folder');
    let failures = 0;
    while (!stopping) {
      let outcome: Outcome;
      try {
        outcome = await scan();
      } catch (err) {
        log.warn({ err: describeError(err) }, 'could not scan the drop folder');
        outcome = 'retry';
      }
      failures = outcome === 'retry' ? failures + 1 : 0;
      if (outcome === 'took') continue;
      if (!readyDone && outcome !== 'unsettled') {
        readyDone = true;
        resolveReady();
      }
      await waker.wait(outcome === 'retry' ? backoffMs(failures, 500, 30_000) : outcome === 'unsettled' ? SETTLE_MS : pollMs);
    }
    watcher.close();
  })();

  let stopped: Promise<void> | null = null;
  return {
    ready,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        waker.wake();
        await loop;
        if (!readyDone) {
          readyDone = true;
          resolveReady();
        }
      })();
      return stopped;
    },
  };
}

/** Moves a file into a folder under its own name, or a time-stamped one when that is taken. */
async function moveInto(folder: string, file: string, name: string): Promise<string> {
  let target = path.join(folder, name);
  if (await stat(target).then(() => true, () => false)) target = path.join(folder, `${Date.now()}-${name}`);
  await rename(file, target);
  return target;
}
