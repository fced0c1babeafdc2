// The staff app listening on a real port, and a staff member's browser over real HTTP (fetch): cookies
// kept per client, the CSRF token of the last page reused for the next form, redirects not followed.
import type pg from 'pg';
import { hashPassword } from '../../src/web/passwords.ts';
import { upsertUser } from '../../src/web/queries/users.ts';
import type { TestDb } from '../helpers/db.ts';
import { startHarness } from '../web/harness.ts';

export const STAFF_PASSWORD = 'correct horse battery staple';

export interface StaffClient {
  cookies: Map<string, string>;
  csrf: string | null;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: string }>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: string }>;
}

export function staffClient(baseUrl: string): StaffClient {
  const c: StaffClient = {
    cookies: new Map(),
    csrf: null,
    async get(path, headers = {}) {
      return send(c, baseUrl, path, { method: 'GET', headers: { accept: 'text/html', ...headers } });
    },
    async post(path, form, headers = {}) {
      const body = new URLSearchParams({ ...(c.csrf ? { _csrf: c.csrf } : {}), ...form }).toString();
      return send(c, baseUrl, path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers } });
    },
  };
  return c;
}

async function send(c: StaffClient, baseUrl: string, path: string, init: RequestInit & { headers: Record<string, string> }) {
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(new URL(path, baseUrl), { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) c.cookies.delete(name);
    else c.cookies.set(name, value);
  }
  const body = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (token) c.csrf = token;
  return { status: res.status, headers: res.headers, body };
}

export async function createStaff(pool: pg.Pool, email: string, password = STAFF_PASSWORD): Promise<void> {
  await upsertUser(pool, { email, passwordHash: await hashPassword(password), mustChangePassword: false });
}

/** Signs a fresh client in; throws unless the app answers with the redirect a successful sign-in gives. */
export async function signIn(baseUrl: string, email: string, password = STAFF_PASSWORD, headers: Record<string, string> = {}): Promise<StaffClient> {
  const c = staffClient(baseUrl);
  await c.get('/signin', headers);
  const res = await c.post('/signin', { email, password, next: '/review' }, headers);
  if (res.status !== 303) throw new Error(`sign-in as ${email} answered ${res.status}`);
  return c;
}

/** The staff app of the web test harness (fresh database, own queues), listening on a real port of 127.0.0.1. */
export interface ListeningApp {
  db: TestDb;
  base: string;
  close(): Promise<void>;
}

export async function startListeningApp(env: Record<string, string>): Promise<ListeningApp> {
  const h = await startHarness(env);
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  return { db: h.db, base, close: () => h.close() };
}
