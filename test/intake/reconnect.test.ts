// The reconnect storm: a mailbox server that refuses connections, or accepts and drops them, must
// get a bounded number of attempts (exponential backoff with jitter, capped at 60 s), and intake
// must resume within the cap once a real server (Dovecot) answers on that port again.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImapIntake, type ImapIntake } from '../../src/intake/imap.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { freePort, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { captureLog } from './capture-log.ts';

const OBSERVE_MS = 20_000;

let db: TestDb;
const intakes: ImapIntake[] = [];
const dovecots: Dovecot[] = [];

/** Accepts every connection and closes it at once, before any greeting. */
async function acceptThenClose(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.destroy();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  return {
    port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

function imapAt(port: number, dovecotLike: Dovecot) {
  return dovecotLike.imapConfig({ port, url: `imap://resident311:test-password@127.0.0.1:${port}/INBOX` });
}

beforeAll(async () => {
  db = await createTestDb();
});

afterAll(async () => {
  for (const i of intakes) await i.stop();
  for (const d of dovecots) await d.stop();
  await db?.drop();
});

describe('IMAP reconnect backoff', () => {
  it('keeps attempts bounded against a refusing port and an accept-then-close listener, then recovers within the cap', async () => {
    // A Dovecot only for its ImapConfig shape (user, password, timings); intake never talks to it.
    const template = await startDovecot();
    dovecots.push(template);
    const refusedPort = await freePort();
    const dropper = await acceptThenClose();

    const refusedLog = captureLog();
    const droppedLog = captureLog();
    const common = { db: db.pool, maxRawBytes: 1_000_000, onStored: async () => {} };
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const refused = startImapIntake({ ...common, imap: imapAt(refusedPort, template), log: refusedLog.log });
    const dropped = startImapIntake({ ...common, imap: imapAt(dropper.port, template), log: droppedLog.log });
    intakes.push(refused, dropped);
    // ready settles after the first failed attempt, so a system can start and show the failure.
    await refused.ready;
    await dropped.ready;

    await new Promise((r) => setTimeout(r, OBSERVE_MS - (Date.now() - started)));
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / OBSERVE_MS;
    const attempts = (lines: typeof refusedLog.lines) => lines.filter((l) => l.msg.includes('reconnecting')).length;
    const refusedAttempts = attempts(refusedLog.lines);
    const droppedAttempts = attempts(droppedLog.lines);
    console.log(
      `in ${OBSERVE_MS / 1000} s: ${refusedAttempts} attempts at a refusing port, ${droppedAttempts} (${dropper.accepted()} connections accepted) at an accept-then-close listener; CPU ${(cpuShare * 100).toFixed(1)}% of one core`,
    );
    expect(refusedAttempts).toBeGreaterThanOrEqual(3);
    expect(refusedAttempts).toBeLessThanOrEqual(12);
    expect(droppedAttempts).toBeLessThanOrEqual(12);
    expect(dropper.accepted()).toBeLessThanOrEqual(13);
    const delays = refusedLog.lines.map((l) => l.retryInMs).filter((d): d is number => typeof d === 'number');
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);

    // The servers come back: each intake is watching its mailbox within the cap (60 s, plus jitter).
    await dropper.close();
    const back = Date.now();
    dovecots.push(await startDovecot({ port: refusedPort }), await startDovecot({ port: dropper.port }));
    await waitFor(() => refusedLog.has('watching the mailbox') && droppedLog.has('watching the mailbox'), 80_000, 'both intakes to reconnect');
    console.log(`resumed ${((Date.now() - back) / 1000).toFixed(1)} s after the servers came back`);
  }, 150_000);
});
