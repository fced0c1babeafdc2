// Sign-in, sessions, lockout, sign-out; every page and API refuses without a session, every form without a CSRF token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createUser, seedRequest, startHarness, type Harness } from './harness.ts';

let h: Harness;
let requestId: number;
let inboundId: number;
let attachmentId: number;

beforeAll(async () => {
  h = await startHarness();
  const seeded = await seedRequest(h.db, { attachments: [{ filename: 'p.png', contentType: 'image/png', content: Buffer.from('png') }] });
  requestId = seeded.id;
  inboundId = seeded.inboundId;
  attachmentId = seeded.attachmentIds[0] as number;
  await h.db.pool.query(`UPDATE inbound_messages SET state = 'failed' WHERE id = $1`, [inboundId]);
});
afterAll(async () => {
  await h?.close();
});

const pages = () => ['/', '/account/password', '/review', `/review/${requestId}`, '/requests', `/requests/${requestId}`, '/dashboard', '/no-such-page'];
const apis = () => [`/attachments/${attachmentId}`, '/api/streets?q=main'];
const forms = (): { url: string; form: Record<string, string> }[] => [
  { url: `/review/${requestId}`, form: { category: 'tree' } },
  { url: `/requests/${requestId}/status`, form: { to: 'not_city' } },
  { url: `/requests/${requestId}/unlink`, form: {} },
  { url: '/dashboard/jobs/parse/parse-1/retry', form: {} },
  { url: `/dashboard/inbound/${inboundId}/retry`, form: {} },
  { url: '/dashboard/outbox/1/retry', form: {} },
  { url: '/account/password', form: { current: PASSWORD, password: 'a brand new password', confirm: 'a brand new password' } },
  { url: '/signout', form: {} },
];

describe('without a session', () => {
  it('pages send the browser to the sign-in page', async () => {
    const b = h.browser();
    for (const url of pages()) {
      const res = await b.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe(`/signin?next=${encodeURIComponent(url)}`);
    }
  });

  it('APIs and attachments answer 401', async () => {
    const b = h.browser();
    for (const url of apis()) {
      const res = await b.get(url, { accept: '*/*' });
      expect(res.statusCode, url).toBe(401);
      expect(res.body, url).not.toContain('png');
    }
  });

  it('forms answer 401 and change nothing', async () => {
    const b = h.browser();
    for (const { url, form } of forms()) {
      const res = await b.post(url, form, { csrf: 'anything' });
      expect(res.statusCode, url).toBe(401);
    }
    const { rows } = await h.db.pool.query('SELECT status FROM requests WHERE id = $1', [requestId]);
    expect(rows[0].status).toBe('needs_review');
  });

  it('a forged session cookie is no session', async () => {
    const b = h.browser();
    b.cookies.set('cityline_session', 'A'.repeat(43));
    expect((await b.get('/review')).statusCode).toBe(303);
  });

  it('the health check answers', async () => {
    const res = await h.browser().get('/healthz', { accept: 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      checks: [
        { name: 'PostgreSQL', status: 'ok' },
        { name: 'Redis', status: 'ok' },
        { name: 'Redis policy', status: 'ok' },
      ],
    });
  });
});

describe('CSRF', () => {
  it('every form refuses a missing or wrong token, and changes nothing', async () => {
    const b = await h.signedIn();
    for (const { url, form } of forms()) {
      expect((await b.post(url, form, { csrf: null })).statusCode, `${url} without token`).toBe(403);
      expect((await b.post(url, form, { csrf: 'x'.repeat(43) })).statusCode, `${url} with a wrong token`).toBe(403);
    }
    const { rows } = await h.db.pool.query('SELECT status FROM requests WHERE id = $1', [requestId]);
    expect(rows[0].status).toBe('needs_review');
    expect((await b.get('/review')).statusCode).toBe(200); // still signed in: /signout was refused too
  });

  it("a token from another session is refused", async () => {
    const a = await h.signedIn();
    const b = await h.signedIn();
    expect((await b.post(`/requests/${requestId}/status`, { to: 'not_city' }, { csrf: a.csrf })).statusCode).toBe(403);
  });

  it('the sign-in form refuses a post without its token', async () => {
    await createUser(h.db, 'csrf@danbury.example', PASSWORD);
    const b = h.browser();
    const res = await b.post('/signin', { email: 'csrf@danbury.example', password: PASSWORD }, { csrf: null });
    expect(res.statusCode).toBe(403);
    expect(b.cookies.has('cityline_session')).toBe(false);
  });
});

describe('sign-in', () => {
  it('signs in, keeps the session, and signs out', async () => {
    await createUser(h.db, 'Dana@Danbury.example', PASSWORD);
    const b = h.browser();
    const page = await b.get('/signin?next=/dashboard');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="password"');
    const res = await b.post('/signin', { email: 'dana@danbury.example', password: PASSWORD, next: '/dashboard' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const cookie = (res.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find((c) => c.name === 'cityline_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    const { rows } = await h.db.pool.query('SELECT token_hash FROM staff_sessions');
    expect(rows.map((r) => r.token_hash)).not.toContain(b.cookies.get('cityline_session'));

    const dash = await b.get('/dashboard');
    expect(dash.statusCode).toBe(200);
    expect(dash.body).toMatch(/dana@danbury\.example/i);

    const stolen = b.cookies.get('cityline_session') as string;
    expect((await b.post('/signout', {})).statusCode).toBe(303);
    const after = h.browser();
    after.cookies.set('cityline_session', stolen);
    expect((await after.get('/dashboard')).statusCode).toBe(303);
  });

  it('refuses a wrong password without saying whether the account exists', async () => {
    await createUser(h.db, 'lee@danbury.example', PASSWORD);
    const b = h.browser();
    await b.get('/signin');
    const wrong = await b.post('/signin', { email: 'lee@danbury.example', password: 'not the password' });
    const nobody = await b.post('/signin', { email: 'nobody@danbury.example', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(nobody.statusCode).toBe(401);
    expect(wrong.body).toContain('Wrong email or password.');
    expect(nobody.body).toContain('Wrong email or password.');
    expect(b.cookies.has('cityline_session')).toBe(false);
  });

  it('never redirects off the site after sign-in', async () => {
    await createUser(h.db, 'redirect@danbury.example', PASSWORD);
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
      const b = h.browser();
      await b.get('/signin');
      const res = await b.post('/signin', { email: 'redirect@danbury.example', password: PASSWORD, next });
      expect(res.headers.location, next).toBe('/review');
    }
  });

  it('makes an account wait after four failures from one client, even for the right password', async () => {
    await createUser(h.db, 'target@danbury.example', PASSWORD);
    const b = h.browser();
    await b.get('/signin');
    for (let i = 0; i < 4; i++) {
      expect((await b.post('/signin', { email: 'target@danbury.example', password: `guess ${i}` })).statusCode).toBe(401);
    }
    const locked = await b.post('/signin', { email: 'target@danbury.example', password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('Too many failed sign-ins');
    expect(b.cookies.has('cityline_session')).toBe(false);

    // Once the wait (15 s after the fourth failure) is over, the account opens again.
    await h.db.pool.query(`UPDATE sign_in_attempts SET at = at - interval '16 seconds' WHERE lower(email) = 'target@danbury.example'`);
    expect((await b.post('/signin', { email: 'target@danbury.example', password: PASSWORD })).statusCode).toBe(303);
  });
});

describe('one-time passwords', () => {
  it('must be replaced before anything else, and the new one works', async () => {
    await createUser(h.db, 'newbie@danbury.example', 'OneTime1234abcd', { mustChangePassword: true });
    const b = h.browser();
    await b.get('/signin');
    const signIn = await b.post('/signin', { email: 'newbie@danbury.example', password: 'OneTime1234abcd', next: '/dashboard' });
    expect(signIn.headers.location).toBe('/account/password');
    expect((await b.get('/review')).headers.location).toBe('/account/password');
    expect((await b.get('/account/password')).body).toContain('Choose your password');
    expect((await b.post(`/requests/${requestId}/status`, { to: 'not_city' })).statusCode).toBe(403);

    const wrongCurrent = await b.post('/account/password', { current: 'nope', password: 'my own password 1', confirm: 'my own password 1' });
    expect(wrongCurrent.statusCode).toBe(400);
    const short = await b.post('/account/password', { current: 'OneTime1234abcd', password: 'short', confirm: 'short' });
    expect(short.body).toContain('at least 10 characters');
    const differ = await b.post('/account/password', { current: 'OneTime1234abcd', password: 'my own password 1', confirm: 'my own password 2' });
    expect(differ.body).toContain('differ');

    const ok = await b.post('/account/password', { current: 'OneTime1234abcd', password: 'my own password 1', confirm: 'my own password 1' });
    expect(ok.headers.location).toBe('/review');
    expect((await b.get('/review')).statusCode).toBe(200);

    const again = h.browser();
    await again.get('/signin');
    expect((await again.post('/signin', { email: 'newbie@danbury.example', password: 'OneTime1234abcd' })).statusCode).toBe(401);
    expect((await again.post('/signin', { email: 'newbie@danbury.example', password: 'my own password 1' })).headers.location).toBe('/review');
  });
});
