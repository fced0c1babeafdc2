// Issue 9, the attacks on the HTTP intake and on start-up, over real sockets against the real app
// (the web app listening on a port, and `bin/cityline start` as a process).
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, loadConfig } from '../../src/config/index.ts';
import type { TestDb } from '../helpers/db.ts';
import { storeRawMessage } from '../../src/intake/store.ts';
import { startListeningApp, type ListeningApp } from './real-http.ts';

const TOKEN = 'inbound-security-token-0123456789';

describe('HTTP intake attacks (issue 9)', () => {
  let served: ListeningApp;
  let db: TestDb;
  let base: string;
  beforeAll(async () => {
    served = await startListeningApp({ CITYLINE_INBOUND_TOKEN: TOKEN });
    ({ db, base } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  /**
   * Streams a 55 MB message/rfc822 body in 64 KB chunks, as fast as the socket takes it, and reports
   * how much had been written when the answer came back.
   */
  function upload(authorization: string): Promise<{ status: number; writtenAtAnswer: number }> {
    const total = 55 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    return new Promise((resolve, reject) => {
      let written = 0;
      let answered = false;
      const req = http.request(`${base}/inbound/message`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'message/rfc822', 'content-length': String(total) },
      });
      req.on('response', (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        const at = written;
        res.resume();
        res.on('end', () => resolve({ status, writtenAtAnswer: at }));
      });
      // The server closing the socket under the rest of the upload is the point.
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const pump = (): void => {
        while (!answered && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!answered) req.end();
      };
      pump();
    });
  }

  it('finding 4: an unauthenticated 55 MB upload is refused before its body is read', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => upload('Bearer wrong-token')));
    for (const r of results) {
      expect(r.status).toBe(401);
      // The answer comes at the headers: what was written by then is what the socket buffers took.
      expect(r.writtenAtAnswer).toBeLessThan(16 * 1024 * 1024);
    }
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages');
    expect(rows[0]?.n).toBe(0);
  });

  it('finding 4: an authenticated gateway still posts a raw message', async () => {
    const raw = 'From: joe@resident.example\r\nTo: cityline311@danbury.example\r\nSubject: tree down\r\nMessage-ID: <gw-sec-1@resident.example>\r\n\r\nTree down on Main Street\r\n';
    const res = await fetch(`${base}/inbound/message`, { method: 'POST', body: raw, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'message/rfc822' } });
    expect(res.status).toBe(202);
  });

  it('finding 5: an email claiming the Message-ID of a future web-form post does not cancel it', async () => {
    // The attacker mails in first, with the Message-ID the form used to derive from its id.
    const forged = Buffer.from('From: mallory@attacker.example\r\nTo: cityline311@danbury.example\r\nSubject: x\r\nMessage-ID: <web-5001@danbury.example>\r\n\r\nnothing\r\n');
    await storeRawMessage(db.pool, { raw: forged, source: 'imap', sourceRef: 'imap:INBOX:1:1', maxRawBytes: 1 << 20 });
    const form = { email: 'resident@resident.example', body: 'The streetlight on Deer Hill Avenue is out.', channel: 'web', id: '5001' };
    const post = () => fetch(`${base}/inbound/form`, { method: 'POST', body: JSON.stringify(form), headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    const first = await post();
    expect(first.status).toBe(202);
    const stored = (await first.json()) as { id: number; duplicate: boolean };
    expect(stored.duplicate).toBe(false);
    const { rows } = await db.pool.query<{ from_raw: string }>(`SELECT convert_from(raw, 'UTF8') AS from_raw FROM inbound_messages WHERE id = $1`, [stored.id]);
    expect(rows[0]?.from_raw).toContain('resident@resident.example');
    // The same (channel, id) sent again is still one message; the same id on the chat channel is another.
    expect(await (await post()).json()).toEqual({ id: stored.id, duplicate: true });
    const chat = await fetch(`${base}/inbound/form`, { method: 'POST', body: JSON.stringify({ ...form, channel: 'chat' }), headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    expect(((await chat.json()) as { duplicate: boolean }).duplicate).toBe(false);
  });
});

describe('finding 7: the public development reply secret', () => {
  const cityline = path.join(PROJECT_ROOT, 'bin', 'cityline');
  const start = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // CITYLINE_REPLY_SECRET is left out on purpose: the default is what is tested.
      const { CITYLINE_REPLY_SECRET: _unused, ...rest } = process.env;
      execFile(cityline, ['start'], { env: { ...rest, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', ...env }, timeout: 30_000 }, (err, _stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
      });
    });

  it.each([
    ['IMAP_URL', { IMAP_URL: 'imaps://city%40danbury.gov:pw@imap.example:993/INBOX' }],
    ['SMTP_URL', { SMTP_URL: 'smtp://relay.example:587' }],
    ['CITYLINE_INBOUND_TOKEN', { CITYLINE_INBOUND_TOKEN: TOKEN }],
  ])('refuses to start with %s set', async (name, env) => {
    const r = await start(env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CITYLINE_REPLY_SECRET');
    expect(r.stderr).toContain(name);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('still starts for development (drop folder, file outbox) with the default', () => {
    expect(() => loadConfig({})).not.toThrow();
    expect(loadConfig({}).replySecretIsDefault).toBe(true);
    expect(() => loadConfig({ SMTP_URL: 'smtp://relay.example:587', CITYLINE_REPLY_SECRET: 'a long random secret of our own' })).not.toThrow();
  });
});
