// Issue 9, the attacks on the staff app's sign-in and sessions (findings 8 and 9), over real HTTP
// against the app listening behind a (simulated) reverse proxy on 127.0.0.1, trusted with
// CITYLINE_TRUST_PROXY, and through the real `cityline user` command.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/index.ts';
import type { TestDb } from '../helpers/db.ts';
import { createStaff, signIn, staffClient, startListeningApp, STAFF_PASSWORD, type ListeningApp } from './real-http.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'cityline');

describe('staff sign-in and sessions (issue 9)', () => {
  let served: ListeningApp;
  let db: TestDb;
  let base: string;
  beforeAll(async () => {
    served = await startListeningApp({ CITYLINE_TRUST_PROXY: '127.0.0.1' });
    ({ db, base } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  const via = (client: string, proto = 'http') => ({ 'x-forwarded-for': client, 'x-forwarded-proto': proto });

  it('finding 8: an attacker guessing a known account from elsewhere slows only themselves; the staff member signs in from their own desk', async () => {
    await createStaff(db.pool, 'chief@danbury.example');
    const attacker = staffClient(base);
    await attacker.get('/signin', via('203.0.113.9'));
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await attacker.post('/signin', { email: 'chief@danbury.example', password: `guess ${i}` }, via('203.0.113.9'))).status);
    // Three free tries, then a growing wait: the attacker is told to come back later, with how long.
    expect(answers).toEqual([401, 401, 401, 401, 429, 429]);
    const slowed = await attacker.post('/signin', { email: 'chief@danbury.example', password: STAFF_PASSWORD }, via('203.0.113.9'));
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same account from the staff member's own address (as the proxy reports it) is not locked.
    const chief = await signIn(base, 'chief@danbury.example', STAFF_PASSWORD, via('198.51.100.7'));
    expect((await chief.get('/review', via('198.51.100.7'))).status).toBe(200);
    const { rows } = await db.pool.query<{ ip: string }>(`SELECT DISTINCT ip FROM sign_in_attempts ORDER BY ip`);
    expect(rows.map((r) => r.ip)).toEqual(['198.51.100.7', '203.0.113.9']);
  });

  it('finding 9: behind TLS the session cookie is __Host- and Secure', async () => {
    await createStaff(db.pool, 'tls@danbury.example');
    const c = staffClient(base);
    await c.get('/signin', via('198.51.100.8', 'https'));
    const res = await fetch(new URL('/signin', base), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...via('198.51.100.8', 'https') },
      body: new URLSearchParams({ _csrf: c.csrf ?? '', email: 'tls@danbury.example', password: STAFF_PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    const session = res.headers.getSetCookie().find((l) => l.startsWith('__Host-cityline_session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; Path=\//i);
    expect(session).not.toMatch(/Domain=/i);
    expect(session).toMatch(/HttpOnly/i);
  });

  it('finding 9: no open redirect after sign-in (tab, newline, backslash, two slashes), and a real path still works', async () => {
    await createStaff(db.pool, 'next@danbury.example');
    const page = await staffClient(base).get('/signin?next=%2F%09%2Fevil.example');
    expect(page.status).toBe(200);
    expect(page.body).toContain('name="next" value="/review"');
    for (const next of ['/\t/evil.example', '/\n/evil.example', '/\r\nSet-Cookie: x=y', '/\\evil.example', '//evil.example', ' //evil.example', '/caf\u00e9']) {
      const c = staffClient(base);
      await c.get('/signin');
      const res = await c.post('/signin', { email: 'next@danbury.example', password: STAFF_PASSWORD, next });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/review');
    }
    const c = staffClient(base);
    await c.get('/signin');
    const ok = await c.post('/signin', { email: 'next@danbury.example', password: STAFF_PASSWORD, next: '/requests?q=DB-100A7&status=routed' });
    expect(ok.headers.get('location')).toBe('/requests?q=DB-100A7&status=routed');
  });

  function cityline(args: string[], stdin: string): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(BIN, args, { env: { ...process.env, DATABASE_URL: db.url, CITYLINE_LOG_LEVEL: 'warn' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
      child.stdin.end(stdin);
    });
  }

  it('finding 9: `cityline user add` on an existing account ends its sessions; `cityline user disable` locks it out at once', async () => {
    await createStaff(db.pool, 'leaked@danbury.example');
    const thief = await signIn(base, 'leaked@danbury.example');
    expect((await thief.get('/review')).status).toBe(200);
    const reset = await cityline(['user', 'add', 'leaked@danbury.example'], 'a brand new password 1\n');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stderr).toContain('1 session ended');
    expect((await thief.get('/review')).status).toBe(303);

    const owner = await signIn(base, 'leaked@danbury.example', 'a brand new password 1');
    const disabled = await cityline(['user', 'disable', 'leaked@danbury.example'], '');
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((await owner.get('/review')).status).toBe(303);
    await expect(signIn(base, 'leaked@danbury.example', 'a brand new password 1')).rejects.toThrow(/401/);
    expect((await cityline(['user', 'disable', 'nobody@danbury.example'], '')).code).toBe(65);
    // Adding it again enables it, with the new password.
    expect((await cityline(['user', 'add', 'leaked@danbury.example'], 'another new password 2\n')).code).toBe(0);
    await signIn(base, 'leaked@danbury.example', 'another new password 2');
  });

  it('finding 9: a session ends 12 hours after sign-in however active it is', async () => {
    await createStaff(db.pool, 'busy@danbury.example');
    const c = await signIn(base, 'busy@danbury.example');
    expect((await c.get('/review')).status).toBe(200);
    // Eleven hours of constant use: still in.
    await db.pool.query(`UPDATE staff_sessions s SET created_at = now() - interval '11 hours' FROM staff_users u WHERE u.id = s.user_id AND u.email = 'busy@danbury.example'`);
    expect((await c.get('/review')).status).toBe(200);
    const { rows } = await db.pool.query<{ left: number }>(
      `SELECT extract(epoch FROM s.expires_at - now())::int AS left FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE u.email = 'busy@danbury.example'`,
    );
    expect(rows[0]?.left).toBeLessThanOrEqual(3600);
    await db.pool.query(`UPDATE staff_sessions s SET created_at = now() - interval '12 hours 1 minute', expires_at = now() + interval '1 hour' FROM staff_users u WHERE u.id = s.user_id AND u.email = 'busy@danbury.example'`);
    const out = await c.get('/review');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toMatch(/^\/signin/);
  });
});
