// Dangers in front of staff: first in the review queue with a badge, and on top of the dashboard even when
// they were routed without review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let b: Browser;

beforeAll(async () => {
  h = await startHarness();
  b = await h.signedIn('oncall@danbury.example');
});
afterAll(async () => {
  await h?.close();
});

describe('emergencies and urgent requests for staff', () => {
  it('puts emergencies, then urgent requests, ahead of older routine ones in the review queue, with a badge', async () => {
    const hour = 3600_000;
    const routine = await seedRequest(h.db, { subject: 'Old pothole', createdAt: new Date(Date.now() - 5 * hour) });
    const urgent = await seedRequest(h.db, { subject: 'Signal dark', urgency: 'urgent', hazard: 'signal_dark', createdAt: new Date(Date.now() - 2 * hour) });
    const emergency = await seedRequest(h.db, { subject: 'Smell of gas', urgency: 'emergency', hazard: 'gas_leak', createdAt: new Date(Date.now() - hour) });
    const res = await b.get('/review');
    expect(res.statusCode).toBe(200);
    const at = (tn: string) => res.body.indexOf(tn);
    expect(at(emergency.trackingNumber)).toBeGreaterThan(-1);
    expect(at(emergency.trackingNumber)).toBeLessThan(at(urgent.trackingNumber));
    expect(at(urgent.trackingNumber)).toBeLessThan(at(routine.trackingNumber));
    expect(res.body).toMatch(new RegExp(`<a href="/review/${emergency.id}" data-first>`));
    expect(res.body).toContain('<span class="danger danger-emergency"');
    expect(res.body).toContain('EMERGENCY · gas leak');
    expect(res.body).toContain('URGENT · signal dark');

    // j/k follow the same order: after the emergency comes the urgent one.
    const screen = await b.get(`/review/${emergency.id}`);
    expect(screen.body).toContain('EMERGENCY · gas leak');
    expect(screen.body).toMatch(new RegExp(`href="/review/${urgent.id}"[^>]*data-key="j"|data-key="j"[^>]*href="/review/${urgent.id}"`));
    await h.db.pool.query(`UPDATE requests SET status = 'closed' WHERE id = ANY($1)`, [[routine.id, urgent.id, emergency.id]]);
  });

  it('shows open dangers on top of the dashboard, routed ones included, and drops them once finished', async () => {
    const routed = await seedRequest(h.db, { subject: 'Wire down', status: 'routed', departmentCode: 'forestry', urgency: 'emergency', hazard: 'downed_wire' });
    const done = await seedRequest(h.db, { subject: 'Old sinkhole', status: 'resolved', departmentCode: 'highway', urgency: 'urgent', hazard: 'open_hole' });
    const res = await b.get('/dashboard');
    expect(res.statusCode).toBe(200);
    const panel = /<section class="flagged"[\s\S]*?<\/section>/.exec(res.body)?.[0] ?? '';
    expect(panel).toContain(routed.trackingNumber);
    expect(panel).toContain('EMERGENCY · downed wire');
    expect(panel).not.toContain(done.trackingNumber);
    expect(res.body.indexOf('class="flagged"')).toBeLessThan(res.body.indexOf('class="tiles"'));

    const page = await b.get(`/requests/${routed.id}`);
    expect(page.body).toContain('EMERGENCY · downed wire');
  });

  it('lets staff clear a false alarm, which leaves the dashboard panel and is kept in the history', async () => {
    const r = await seedRequest(h.db, { subject: 'Why cant I have a fire in my backyard?', status: 'routed', departmentCode: 'cityline', urgency: 'emergency', hazard: 'fire' });
    const page = await b.get(`/requests/${r.id}`);
    expect(page.body).toContain(`action="/requests/${r.id}/not-danger"`);
    const res = await b.post(`/requests/${r.id}/not-danger`, {});
    expect(res.statusCode).toBe(303);
    const { rows } = await h.db.pool.query(
      `SELECT r.urgency, r.hazard, e.actor, e.details FROM requests r JOIN request_events e ON e.request_id = r.id AND e.kind = 'urgency_cleared' WHERE r.id = $1`,
      [r.id],
    );
    expect(rows[0]).toEqual({ urgency: 'routine', hazard: null, actor: 'oncall@danbury.example', details: { was: 'emergency', hazard: 'fire' } });
    const dash = await b.get('/dashboard');
    expect(dash.body).not.toContain(r.trackingNumber);
    expect((await b.post(`/requests/${r.id}/not-danger`, {})).statusCode).toBe(409);
  });
});
