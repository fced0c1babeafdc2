// The whole system sending through Microsoft Graph (CITYLINE_MAIL_TRANSPORT=graph): a resident's
// message dropped in the inbox folder is confirmed once through sendMail even when Graph throttles,
// and a Graph that refuses the app shows on /healthz. Graph is the local server of
// test/helpers/graph-server.ts (Microsoft's documented shapes); tokens come from the test's token server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { startGraphServer, type GraphServer } from '../helpers/graph-server.ts';
import { residentMail, testEnv } from '../helpers/system.ts';
import { oauthEnv, startTokenServer, type TokenServer } from '../helpers/token-server.ts';
import { captureLog } from '../intake/capture-log.ts';

let db: TestDb;
let tokens: TokenServer;
let graph: GraphServer;
let system: System;
let dir: string;

beforeAll(async () => {
  db = await createTestDb();
  tokens = await startTokenServer({ lifetimeSeconds: 600, username: 'cityline311@danbury.example' });
  graph = await startGraphServer({ isValidToken: (t) => tokens.isActive(t) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'cityline-graph-'));
  const config = loadConfig(
    testEnv(db, {
      CITYLINE_DROP_DIR: path.join(dir, 'inbox'),
      CITYLINE_OUTBOX_DIR: path.join(dir, 'outbox'),
      CITYLINE_MAIL_TRANSPORT: 'graph',
      CITYLINE_GRAPH_URL: graph.url,
      CITYLINE_GRAPH_SCOPE: tokens.scope,
      ...oauthEnv(tokens),
    }),
  );
  system = await startSystem(config, { web: true, log: captureLog().log, sweep: { intervalMs: 500, graceSeconds: 2 } });
});

afterAll(async () => {
  await system?.stop();
  await system?.queues.close();
  await graph?.close();
  await tokens?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function drop(n: number): Promise<string> {
  const messageId = `graph-${n}-${Date.now()}@example.com`;
  await writeFile(
    path.join(dir, 'inbox', `${n}.eml`),
    residentMail({ from: `Resident ${n} <graph${n}@example.com>`, subject: 'Pothole', body: `A deep pothole in front of ${20 + n} Main Street.`, messageId }),
  );
  return messageId;
}

describe('outgoing mail through Microsoft Graph', () => {
  it('confirms a resident once through sendMail, as the 311 mailbox, threaded under their message, through a 429', async () => {
    graph.failNext(429, { retryAfterSeconds: 1 });
    const residentId = await drop(1);
    const sent = await waitFor(() => graph.sent.find((m) => m.parsed.to && JSON.stringify(m.parsed.to).includes('graph1@example.com')), 30_000, 'the confirmation at Graph');
    expect(sent.mailbox).toBe('cityline311@danbury.example');
    expect(sent.parsed.inReplyTo).toBe(`<${residentId}>`);
    const row = await db.pool.query<{ state: string; message_id: string }>(`SELECT state, message_id FROM outbox WHERE kind = 'confirmation'`);
    expect(row.rows).toHaveLength(1);
    await waitFor(async () => (await db.pool.query(`SELECT 1 FROM outbox WHERE kind = 'confirmation' AND state = 'sent'`)).rows.length === 1, 10_000, 'the row marked sent');
    expect(sent.parsed.messageId).toBe(`<${row.rows[0]?.message_id}>`);
    // The first POST was throttled and waited out; the department's ticket may follow the confirmation.
    expect(graph.posts[0]?.status).toBe(429);
    expect(graph.posts.filter((p) => p.status !== 202)).toHaveLength(1);
    expect(graph.sent.filter((m) => JSON.stringify(m.parsed.to).includes('graph1@example.com'))).toHaveLength(1);
  });

  it('shows Graph refusing the app on /healthz, keeps the mail queued, and sends it once Graph lets it', async () => {
    graph.failNext(403, { code: 'ErrorAccessDenied', times: 2 });
    await drop(2);
    const health = await waitFor(async () => {
      const res = await fetch(`${system.webUrl}/healthz`);
      return res.status === 503 ? ((await res.json()) as { checks: { name: string; status: string; detail: string }[] }) : undefined;
    }, 30_000, '/healthz to report Graph');
    const graphCheck = health.checks.find((c) => c.name === 'Microsoft Graph sign-in');
    expect(graphCheck?.status).toBe('fail');
    expect(graphCheck?.detail).toContain('ErrorAccessDenied');
    // The job retries with backoff; once Graph accepts, the same row is sent, once.
    await waitFor(() => graph.sent.some((m) => JSON.stringify(m.parsed.to).includes('graph2@example.com')), 40_000, 'the confirmation after the refusals');
    expect(graph.sent.filter((m) => JSON.stringify(m.parsed.to).includes('graph2@example.com'))).toHaveLength(1);
    await waitFor(async () => (await fetch(`${system.webUrl}/healthz`)).status === 200, 10_000, '/healthz healthy again');
  }, 90_000);
});
