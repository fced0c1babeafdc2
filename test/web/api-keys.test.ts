// Admins manage Open311 API keys in the staff app: a key is shown once, works for filing, is recorded on
// what it files, and stops working the moment it is revoked. Other staff cannot see the page.
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/web/passwords.ts';
import { upsertUser } from '../../src/web/queries/users.ts';
import { PASSWORD, startHarness, type Browser, type Harness } from './harness.ts';

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['request', 'error'].includes(name) });

describe('Open311 API keys in the staff app', () => {
  let h: Harness;
  let admin: Browser;
  beforeAll(async () => {
    h = await startHarness({ CITYLINE_OPEN311_WAIT_MS: '0' });
    await upsertUser(h.db.pool, { email: 'admin@danbury.example', passwordHash: await hashPassword(PASSWORD), role: 'admin', mustChangePassword: false });
    admin = h.browser();
    await admin.get('/signin');
    expect((await admin.post('/signin', { email: 'admin@danbury.example', password: PASSWORD })).statusCode).toBe(303);
    await admin.get('/admin/api-keys');
  });
  afterAll(async () => {
    await h?.close();
  });

  const file = (key: string) =>
    h.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.xml',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: key, service_code: 'graffiti', address_string: 'Main Street underpass', description: 'Tags on the wall' }).toString(),
    });

  it('creates a key shown once, which files requests recorded against it, and revokes it', async () => {
    const created = await admin.post('/admin/api-keys', { name: 'SeeClickFix' });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const key = /<code class="secret">([^<]+)<\/code>/.exec(created.body)?.[1] as string;
    expect(key).toMatch(/^o311_/);
    const listed = await admin.get('/admin/api-keys');
    expect(listed.body).toContain('SeeClickFix');
    expect(listed.body).not.toContain(key);

    const filed = await file(key);
    expect(filed.statusCode).toBe(200);
    const token = (xml.parse(filed.body) as { service_requests: { request: { token: string }[] } }).service_requests.request[0]?.token;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const { rows } = await h.db.pool.query(`SELECT k.name, k.last_used_at IS NOT NULL AS used FROM open311_submissions s JOIN open311_api_keys k ON k.id = s.api_key_id WHERE s.token = $1`, [token]);
    expect(rows).toEqual([{ name: 'SeeClickFix', used: true }]);
    expect((await admin.get('/admin/api-keys')).body).toMatch(/SeeClickFix<\/td><td><code>o311_[^<]*…<\/code><\/td>(?:(?!<\/tr>)[\s\S])*<td>1<\/td>/);

    const id = /action="\/admin\/api-keys\/(\d+)\/revoke"/.exec(listed.body)?.[1] as string;
    expect((await admin.post(`/admin/api-keys/${id}/revoke`, {})).statusCode).toBe(303);
    expect((await admin.get('/admin/api-keys')).body).toMatch(/revoked/);
    const refused = await file(key);
    expect(refused.statusCode).toBe(403);
    expect((xml.parse(refused.body) as { errors: { error: { code: string }[] } }).errors.error[0]?.code).toBe('403');
  });

  it('is for admins only', async () => {
    const staff = await h.signedIn();
    expect((await staff.get('/admin/api-keys')).statusCode).toBe(403);
    expect((await staff.post('/admin/api-keys', { name: 'Sneaky' })).statusCode).toBe(403);
    const { rows } = await h.db.pool.query(`SELECT count(*)::int AS n FROM open311_api_keys WHERE name = 'Sneaky'`);
    expect(rows[0]).toEqual({ n: 0 });
    expect((await h.browser().get('/admin/api-keys')).statusCode).toBe(303);
  });
});
