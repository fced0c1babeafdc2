// `cityline user add`: the account it creates can sign in to the staff app.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'cityline');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function cityline(args: string[], stdin: string, command = BIN): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, DATABASE_URL: h.db.url, CITYLINE_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function canSignIn(email: string, password: string): Promise<boolean> {
  const b = h.browser();
  await b.get('/signin');
  return (await b.post('/signin', { email, password })).statusCode === 303;
}

describe('cityline user add', () => {
  it('reads the password from a pipe and creates an admin who can sign in', async () => {
    const res = await cityline(['user', 'add', 'Admin@Danbury.example', '--admin'], 'piped password 123\n');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('created staff account admin@danbury.example (admin)');
    const { rows } = await h.db.pool.query(`SELECT email, is_admin, password_hash FROM staff_users`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: 'admin@danbury.example', is_admin: true });
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(await canSignIn('admin@danbury.example', 'piped password 123')).toBe(true);
  });

  it('running it again resets the password and keeps the admin an admin, saying so', async () => {
    const res = await cityline(['user', 'add', 'admin@danbury.example'], 'a new password 456');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr.trim()).toBe('updated staff account admin@danbury.example: password reset; role admin (unchanged); 1 session ended');
    expect((await h.db.pool.query(`SELECT is_admin FROM staff_users WHERE email = 'admin@danbury.example'`)).rows[0]).toEqual({ is_admin: true });
    expect(await canSignIn('admin@danbury.example', 'piped password 123')).toBe(false);
    expect(await canSignIn('admin@danbury.example', 'a new password 456')).toBe(true);
  });

  it('changes a role only when asked, says from what to what, and lists every account', async () => {
    const created = await cityline(['user', 'add', 'reader@danbury.example', '--role', 'read-only'], 'reader password 789');
    expect(created.stderr.trim()).toBe('created staff account reader@danbury.example (read-only)');
    const promoted = await cityline(['user', 'add', 'reader@danbury.example', '--role', 'agent'], 'reader password 790');
    expect(promoted.stderr).toContain('role read-only -> agent');
    await cityline(['user', 'disable', 'reader@danbury.example'], '');
    const listed = await cityline(['user', 'list'], '');
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+ROLE\s+STATE\s+LAST SIGN-IN \(UTC\)$/);
    expect(lines.find((l) => l.startsWith('admin@danbury.example'))).toMatch(/\badmin\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(lines.find((l) => l.startsWith('reader@danbury.example'))).toMatch(/\bagent\s+disabled\s+never$/);
    const enabled = await cityline(['user', 'add', 'reader@danbury.example'], 'reader password 791');
    expect(enabled.stderr).toContain('role agent (unchanged); enabled again');
  });

  it('at a terminal, prints a generated one-time password that must be changed at the first sign-in', async () => {
    // util-linux `script` gives the command a pseudo-terminal, as a person typing it would have.
    const res = await cityline(['-qec', `${BIN} user add first@danbury.example`, '/dev/null'], '', 'script');
    expect(res.code, res.stdout).toBe(0);
    const password = res.stdout.split(/\r?\n/).find((l) => /^[a-zA-Z2-9]{16}$/.test(l.trim()))?.trim();
    expect(password, res.stdout).toBeDefined();
    const b = h.browser();
    await b.get('/signin');
    expect((await b.post('/signin', { email: 'first@danbury.example', password: password as string })).headers.location).toBe('/account/password');
  });

  it('refuses a short password and bad arguments', async () => {
    expect((await cityline(['user', 'add', 'x@danbury.example'], 'short\n')).code).toBe(65);
    expect((await cityline(['user', 'add'], '')).code).toBe(64);
    expect((await cityline(['user', 'add', 'not-an-email'], 'long enough password')).code).toBe(64);
    expect((await cityline(['user', 'remove', 'x@danbury.example'], '')).code).toBe(64);
    expect((await cityline(['user', 'add', 'x@danbury.example', '--role', 'owner'], 'long enough password')).code).toBe(64);
    expect((await cityline(['user', 'disable', 'x@danbury.example', '--admin'], '')).code).toBe(64);
  });
});
