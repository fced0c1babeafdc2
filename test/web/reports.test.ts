// The reports page, its CSV export and the map, through the real app on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRequest, startHarness, type Harness } from './harness.ts';

let h: Harness;
let pothole: Awaited<ReturnType<typeof seedRequest>>;

beforeAll(async () => {
  h = await startHarness();
  pothole = await seedRequest(h.db, { category: 'pothole', street: 'Main Street', status: 'routed', departmentCode: 'highway', createdAt: new Date('2026-11-10T15:00:00Z') });
  await h.db.pool.query(`UPDATE requests SET due_at = '2026-11-12T15:00:00Z', routed_at = created_at + interval '2 hours' WHERE id = $1`, [pothole.id]);
  const light = await seedRequest(h.db, { category: 'streetlight', street: 'White Street', status: 'resolved', departmentCode: 'traffic', createdAt: new Date('2026-11-11T15:00:00Z') });
  await h.db.pool.query(
    `UPDATE requests SET channel = 'phone', due_at = created_at + interval '10 days', routed_at = created_at + interval '1 hour', closed_at = created_at + interval '30 hours' WHERE id = $1`,
    [light.id],
  );
  await seedRequest(h.db, { category: 'graffiti', street: 'Main Street', createdAt: new Date('2026-10-05T15:00:00Z') });
});

afterAll(async () => {
  await h?.close();
});

describe('/reports', () => {
  it('shows the month chosen, with its figures, charts and CSV links', async () => {
    const b = await h.signedIn();
    const res = await b.get('/reports?month=2026-11', { accept: 'text/html' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Report: 2026-11-01 to 2026-11-30');
    expect(res.body).toMatch(/<span class="big">2<\/span>contacts/);
    expect(res.body).toMatch(/<span class="big">100%<\/span>resolved within target/);
    expect(res.body).toContain('<svg class="chart"');
    expect(res.body).toContain('href="/reports.csv?table=categories&amp;month=2026-11"');
    expect(res.body).not.toContain('graffiti');
  });

  it('says what is wrong with a period and shows this month instead', async () => {
    const b = await h.signedIn();
    const res = await b.get('/reports?quarter=2026-Q5', { accept: 'text/html' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('quarter must look like 2026-Q4, got &quot;2026-Q5&quot;');
  });

  it('exports a table as CSV with the same figures', async () => {
    const b = await h.signedIn();
    const res = await b.get('/reports.csv?table=months&from=2026-10-01&to=2026-11-30');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="cityline-months-2026-10-01-to-2026-11-30.csv"');
    expect(res.body).toBe('month,Email,Web form,Chat,Phone,Walk-in,Letter,Open311 apps,total\r\n2026-10,1,0,0,0,0,0,0,1\r\n2026-11,1,0,0,1,0,0,0,2\r\n');
    const departments = await b.get('/reports.csv?table=departments&month=2026-11');
    expect(departments.body.split('\r\n')[0]).toBe(
      'department,opened,resolved,open now,resolved within target,median hours to route,p90 hours to route,median hours to resolve,p90 hours to resolve,review rate',
    );
    // 1 hour to route and 30 to resolve, read from 10%-wide duration buckets.
    const traffic = departments.body.split('\r\n').find((l) => l.startsWith('Traffic Engineering,'))!.split(',');
    expect(traffic.slice(0, 5)).toEqual(['Traffic Engineering', '1', '1', '0', '1']);
    for (const [i, exact] of [[5, 1], [6, 1], [7, 30], [8, 30]] as const) expect(Math.abs(Number(traffic[i]) - exact)).toBeLessThanOrEqual(exact * 0.1);
    expect(traffic[9]).toBe('1');
    expect((await b.get('/reports.csv?table=nope')).statusCode).toBe(400);
  });

  it('is for staff only', async () => {
    const res = await h.browser().get('/reports.csv?table=months');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/signin\?next=/);
  });
});

describe('/map', () => {
  it('draws open requests at their street, each a link to the request, late ones marked', async () => {
    const b = await h.signedIn();
    const res = await b.get('/map', { accept: 'text/html' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<a href="/requests/${pothole.id}"><circle`);
    expect(res.body).toMatch(new RegExp(`${pothole.trackingNumber} · pothole · 12 Main Street · late`));
    // Resolved requests are not open.
    expect(res.body).not.toContain('streetlight · 12 White Street');
    const onlyGraffiti = await b.get('/map?category=graffiti', { accept: 'text/html' });
    expect(onlyGraffiti.body).not.toContain(`/requests/${pothole.id}"`);
  });
});

describe('/reports/schedule', () => {
  it('shows the schedule and the targets, and saves what staff change, with who did it', async () => {
    const b = await h.signedIn('chief@danbury.example');
    const page = await b.get('/reports/schedule', { accept: 'text/html' });
    expect(page.body).toContain('now <strong>on weekdays at 07:00</strong>');
    expect(page.body).toMatch(/<td>pothole<\/td><td>2 business days<\/td>/);
    const bad = await b.post('/reports/schedule', { enabled: '1', sendAt: '7am', weekdays: '1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The time must look like 07:00.');
    const saved = await b.post('/reports/schedule', { enabled: '1', sendAt: '06:45', weekdays: '2', escalationEnabled: '1', supervisorEmail: 'Supervisor@Danbury.example' });
    expect(saved.statusCode).toBe(303);
    const row = await h.db.pool.query(`SELECT to_char(send_at, 'HH24:MI') AS t, weekdays, supervisor_email, updated_by FROM digest_schedule`);
    expect(row.rows[0]).toEqual({ t: '06:45', weekdays: [2], supervisor_email: 'supervisor@danbury.example', updated_by: 'chief@danbury.example' });
    expect((await b.get('/reports/schedule?saved=1', { accept: 'text/html' })).body).toContain('now <strong>on Tuesday at 06:45</strong>, set by chief@danbury.example');
  });
});

describe('due dates in the staff app', () => {
  it('show on the request list and page, late ones marked, with the channel', async () => {
    const b = await h.signedIn();
    const list = await b.get('/requests?category=pothole', { accept: 'text/html' });
    expect(list.body).toMatch(/<th[^>]*><a href="[^"]*sort=due[^"]*">Due<\/a><\/th>/);
    expect(list.body).toMatch(/<span class="late"><time datetime="2026-11-12T15:00:00.000Z"[^>]*>[^<]*<\/time> · late<\/span>/);
    const page = await b.get(`/requests/${pothole.id}`, { accept: 'text/html' });
    expect(page.body).toMatch(/<dt>Due<\/dt><dd><span class="late">/);
    expect(page.body).toContain('<span class="muted">by email</span>');
  });
});
