// Administration: admins only; accounts added with a one-time password, roles, disabling (that account can no
// longer sign in), password reset; suppressed addresses seen and lifted; every action in a searchable audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let admin: Browser;

beforeAll(async () => {
  h = await startHarness();
  admin = await h.signedIn('chief@danbury.example');
  await h.db.pool.query(`UPDATE staff_users SET is_admin = true WHERE email = 'chief@danbury.example'`);
  await admin.get('/admin/users');
});
afterAll(async () => {
  await h?.close();
});

async function signIn(email: string, password: string): Promise<{ browser: Browser; status: number }> {
  const b = h.browser();
  await b.get('/signin');
  const res = await b.post('/signin', { email, password });
  return { browser: b, status: res.statusCode };
}

describe('admin pages', () => {
  it('are refused to an agent', async () => {
    const agent = await h.signedIn('plain-agent@danbury.example');
    expect((await agent.get('/admin/users')).statusCode).toBe(403);
    expect((await agent.post('/admin/users', { email: 'x@danbury.example', role: 'admin' })).statusCode).toBe(403);
    expect((await h.db.pool.query(`SELECT 1 FROM staff_users WHERE email = 'x@danbury.example'`)).rowCount).toBe(0);
    expect((await agent.get('/review')).body).not.toContain('href="/admin/users"');
  });

  it('add an account with a one-time password, refuse a second account for the same address, and change a role', async () => {
    const res = await admin.post('/admin/users', { email: 'New.Agent@danbury.example', role: 'read_only' });
    expect(res.statusCode).toBe(200);
    const password = /id="one-time-password">([^<]+)</.exec(res.body)?.[1] as string;
    expect(password).toMatch(/^\S{16}$/);
    const first = await signIn('new.agent@danbury.example', password);
    expect(first.status).toBe(303);
    expect((await first.browser.get('/review')).headers.location).toBe('/account/password');
    const { rows } = await h.db.pool.query(`SELECT id, role, is_admin FROM staff_users WHERE email = 'new.agent@danbury.example'`);
    expect(rows[0]).toMatchObject({ role: 'read_only', is_admin: false });
    expect((await admin.post('/admin/users', { email: 'new.agent@danbury.example', role: 'admin' })).statusCode).toBe(409);
    await admin.post(`/admin/users/${rows[0].id}/role`, { role: 'agent' });
    expect((await h.db.pool.query('SELECT role FROM staff_users WHERE id = $1', [rows[0].id])).rows[0].role).toBe('agent');
    await admin.post(`/admin/users/${rows[0].id}/role`, { role: 'admin' });
    expect((await h.db.pool.query('SELECT is_admin FROM staff_users WHERE id = $1', [rows[0].id])).rows[0].is_admin).toBe(true);
  });

  it('disable an account: its session ends at once and it cannot sign in; enable and reset bring it back', async () => {
    const victim = await h.signedIn('leaving@danbury.example');
    const { rows } = await h.db.pool.query(`SELECT id FROM staff_users WHERE email = 'leaving@danbury.example'`);
    const id = rows[0].id as number;
    const res = await admin.post(`/admin/users/${id}/disable`, {});
    expect(res.body).toContain('leaving@danbury.example: disabled');
    expect((await victim.get('/review')).statusCode).toBe(303);
    expect((await signIn('leaving@danbury.example', 'correct horse battery')).status).not.toBe(303);
    await admin.post(`/admin/users/${id}/enable`, {});
    const reset = await admin.post(`/admin/users/${id}/reset`, {});
    const password = /id="one-time-password">([^<]+)</.exec(reset.body)?.[1] as string;
    expect((await signIn('leaving@danbury.example', password)).status).toBe(303);
    // An admin cannot disable themself.
    const me = (await h.db.pool.query(`SELECT id FROM staff_users WHERE email = 'chief@danbury.example'`)).rows[0].id;
    expect((await admin.post(`/admin/users/${me}/disable`, {})).statusCode).toBe(409);
  });

  it('show a hard-bounce suppression and lift it', async () => {
    await h.db.pool.query(`INSERT INTO mail_suppressions (address, reason) VALUES ('gone@resident.example', '550 5.1.1 user unknown')`);
    const page = await admin.get('/admin/suppressions');
    expect(page.body).toContain('gone@resident.example');
    expect(page.body).toContain('550 5.1.1 user unknown');
    const res = await admin.post('/admin/suppressions/lift', { address: 'gone@resident.example' });
    expect(res.statusCode).toBe(303);
    expect((await h.db.pool.query(`SELECT 1 FROM mail_suppressions WHERE address = 'gone@resident.example'`)).rowCount).toBe(0);
    expect((await admin.get(res.headers.location as string)).body).toContain('Mail to gone@resident.example may go again.');
  });

  it('keep an audit log of staff actions, searchable', async () => {
    const r = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway' });
    await admin.get(`/requests/${r.id}`);
    await admin.post(`/requests/${r.id}/note`, { text: 'called the crew' });
    let page = await admin.get('/admin/audit');
    for (const expected of ['account added', 'account disabled', 'password reset', 'suppression lifted', 'request note', r.trackingNumber]) expect(page.body).toContain(expected);
    page = await admin.get(`/admin/audit?q=${r.trackingNumber}`);
    expect(page.body).toContain('called the crew');
    expect(page.body).not.toContain('suppression lifted');
  });
});
