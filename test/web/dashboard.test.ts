// The dashboard's figures, and retrying failed jobs, failed messages and unsent mail.
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createQueues, redisConnection } from '../../src/jobs/queues.ts';
import { createWebApp } from '../../src/web/app.ts';
import { testLog, waitFor } from '../helpers/db.ts';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

let h: Harness;
let b: Browser;

beforeAll(async () => {
  h = await startHarness();
  b = await h.signedIn();
});
afterAll(async () => {
  await h?.close();
});

/** Runs one failing worker over the parse queue until the job given has failed. */
async function failParseJob(inboundMessageId: number): Promise<void> {
  const connection = redisConnection(h.config.redisUrl, testLog);
  const worker = new Worker('parse', async () => {
    throw new UnrecoverableError('parser exploded on purpose');
  }, { connection, prefix: h.config.queuePrefix });
  worker.on('error', () => {});
  try {
    await h.queues.enqueue('parse', { inboundMessageId });
    await waitFor(async () => (await h.queues.queue('parse').getJob(`parse-${inboundMessageId}`))?.isFailed(), 10_000, 'the parse job to fail');
  } finally {
    await worker.close();
    await connection.quit();
  }
}

describe('figures', () => {
  it('shows volume, backlog with its oldest item, the share routed without review and the medians', async () => {
    const routed = await seedRequest(h.db, { status: 'routed', departmentCode: 'highway', category: 'pothole' });
    await h.db.pool.query(`UPDATE requests SET confirmed_at = now() WHERE id = $1`, [routed.id]);
    const reviewed = await seedRequest(h.db, { category: 'tree' });
    // Minutes, not hours, old: the figures count calendar days in the city's time zone.
    const waiting = await seedRequest(h.db, { category: 'tree', createdAt: new Date(Date.now() - 5 * 60_000) });
    await b.get(`/review/${reviewed.id}`);
    await b.post(`/review/${reviewed.id}`, { category: 'tree', street: 'Main Street', houseNumber: '12' });

    const res = await b.get('/dashboard');
    expect(res.statusCode).toBe(200);
    const text = res.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('3 requests today');
    expect(text).toContain('1 waiting for review');
    expect(res.body).toContain(`<a href="/review/${waiting.id}">5 min</a>`);
    expect(text).toContain('50% routed without review');
    expect(text).toMatch(/\d+ s median arrival → confirmation sent/);
    expect(text).toMatch(/\d+ s median arrival → staff decision/);
    expect(text).toMatch(/\d+ s median arrival → routed/);
    // The charts are inline SVG with accessible titles, one bar per category.
    expect(res.body).toContain('<svg class="chart" role="img" aria-label="Requests this week by category; today in dark"');
    expect(res.body).toContain('<title>tree: 2 this week</title>');
  });
});

describe('retries', () => {
  it('lists a failed job of a stage and puts it back on its queue', async () => {
    await failParseJob(90001);
    const page = await b.get('/dashboard');
    expect(page.body).toContain('<code>parse-90001</code>');
    expect(page.body).toContain('parser exploded on purpose');
    const res = await b.post('/dashboard/jobs/parse/parse-90001/retry', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard?retried=job');
    expect(await (await h.queues.queue('parse').getJob('parse-90001'))?.getState()).toBe('waiting');
    expect((await b.post('/dashboard/jobs/parse/parse-90001/retry', {})).headers.location).toBe('/dashboard?retried=gone');
    expect((await b.post('/dashboard/jobs/nosuchstage/x/retry', {})).statusCode).toBe(404);
  });

  it('puts a failed message back to be parsed, even while its failed job is still kept', async () => {
    const r = await seedRequest(h.db);
    await h.db.pool.query(`UPDATE inbound_messages SET state = 'failed', error = 'bad MIME' WHERE id = $1`, [r.inboundId]);
    await failParseJob(r.inboundId);
    const page = await b.get('/dashboard');
    expect(page.body).toContain('bad MIME');
    const res = await b.post(`/dashboard/inbound/${r.inboundId}/retry`, {});
    expect(res.headers.location).toBe('/dashboard?retried=inbound');
    const { rows } = await h.db.pool.query('SELECT state, error FROM inbound_messages WHERE id = $1', [r.inboundId]);
    expect(rows[0]).toEqual({ state: 'stored', error: null });
    expect(await (await h.queues.queue('parse').getJob(`parse-${r.inboundId}`))?.getState()).toBe('waiting');
    expect((await b.post(`/dashboard/inbound/${r.inboundId}/retry`, {})).headers.location).toBe('/dashboard?retried=gone');
  });

  it('puts unsent mail back to be sent', async () => {
    const r = await seedRequest(h.db);
    const { rows } = await h.db.pool.query<{ id: number }>(
      `INSERT INTO outbox (dedupe_key, request_id, kind, to_address, subject, message_id, text_body, state, attempts, last_error)
       VALUES ('failed-1', $1, 'status_update', 'pat@resident.example', 'Update', '<f1@cityline>', 'x', 'failed', 10, '550 mailbox unavailable')
       RETURNING id`,
      [r.id],
    );
    const id = rows[0]?.id as number;
    expect((await b.get('/dashboard')).body).toContain('550 mailbox unavailable');
    expect((await b.post(`/dashboard/outbox/${id}/retry`, {})).headers.location).toBe('/dashboard?retried=outbox');
    const after = await h.db.pool.query('SELECT state, last_error FROM outbox WHERE id = $1', [id]);
    expect(after.rows[0]).toEqual({ state: 'pending', last_error: null });
    expect(await (await h.queues.queue('notify').getJob(`send-${id}`))?.getState()).toBe('waiting');
    const page = await b.get('/dashboard?retried=outbox');
    expect(page.body).toContain('The email was put back to be sent again.');
  });
});

describe('without Redis', () => {
  it('still shows the figures from PostgreSQL, and says the queues did not answer', async () => {
    const deadQueues = createQueues('redis://127.0.0.1:1', h.config.queuePrefix, pino({ level: 'silent' }));
    const app = await createWebApp({ pool: h.db.pool, config: h.config, routing: h.routing, targets: h.targets, queues: deadQueues, log: pino({ level: 'silent' }) });
    try {
      const res = await app.inject({ method: 'GET', url: '/dashboard', headers: { accept: 'text/html', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('The job queues (Redis) did not answer');
      expect(res.body).toContain('requests today');
    } finally {
      await app.close();
      await deadQueues.close();
    }
  });
});
