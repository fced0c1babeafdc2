// A failing mailbox sign-in, as recorded by whichever process saw it, on /healthz and the dashboard.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordSignIn } from '../../src/signin/status.ts';
import { startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let b: Browser;

beforeAll(async () => {
  h = await startHarness();
  b = await h.signedIn();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.db.pool.query('TRUNCATE sign_in_status');
});

const REASON = 'the server refused the access token for cityline311@danbury-ct.gov ("AUTHENTICATE failed.")';

describe('sign-in status', () => {
  it('makes /healthz answer 503 with the reason, and shows it at the top of the dashboard', async () => {
    await recordSignIn(h.db.pool, 'imap', 'sign-in', REASON);
    const res = await b.get('/healthz', { accept: 'application/json' });
    expect(res.statusCode).toBe(503);
    const body = res.json() as { ok: boolean; checks: { name: string; status: string; detail: string }[] };
    expect(body.ok).toBe(false);
    expect(body.checks.find((c) => c.name === 'PostgreSQL')?.status).toBe('ok');
    const imap = body.checks.find((c) => c.name === 'IMAP sign-in');
    expect(imap?.status).toBe('fail');
    expect(imap?.detail).toContain(REASON);
    const page = await b.get('/dashboard');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mailbox sign-in failing');
    expect(page.body).toContain('IMAP (incoming mail)');
    expect(page.body).toContain('AUTHENTICATE failed.');
  });

  it('is healthy again once the same channel signs in, and ignores a failure nobody confirmed for five minutes', async () => {
    await recordSignIn(h.db.pool, 'smtp', 'sign-in', '535 5.7.3 Authentication unsuccessful');
    expect((await b.get('/healthz')).statusCode).toBe(503);
    await recordSignIn(h.db.pool, 'smtp', null, null);
    expect((await b.get('/healthz')).statusCode).toBe(200);
    expect((await b.get('/dashboard')).body).not.toContain('Mailbox sign-in failing');

    await recordSignIn(h.db.pool, 'graph', 'sign-in', '403 ErrorAccessDenied');
    await h.db.pool.query(`UPDATE sign_in_status SET checked_at = now() - interval '6 minutes'`);
    expect((await b.get('/healthz')).statusCode).toBe(200);
  });

  it('keeps the time a failure began while it is confirmed again', async () => {
    await recordSignIn(h.db.pool, 'imap', 'connection', 'cannot reach outlook.office365.com:993');
    const res = await b.get('/healthz');
    expect((res.json() as { checks: { name: string }[] }).checks.map((c) => c.name)).toContain('IMAP connection');
    await h.db.pool.query(`UPDATE sign_in_status SET since = now() - interval '1 hour'`);
    await recordSignIn(h.db.pool, 'imap', 'connection', 'cannot reach outlook.office365.com:993');
    const { rows } = await h.db.pool.query<{ old: boolean }>(`SELECT since < now() - interval '59 minutes' AS old FROM sign_in_status`);
    expect(rows[0]?.old).toBe(true);
  });
});
