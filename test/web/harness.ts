// The staff app on a fresh database and its own queues, driven through fastify's inject (real HTTP semantics,
// no socket), with a cookie jar per simulated browser, and seeding helpers for requests and their mail.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createQueues, type Queues } from '../../src/jobs/queues.ts';
import type { Category } from '../../src/classify/types.ts';
import type { Hazard, Urgency } from '../../src/classify/urgency.ts';
import type { Status } from '../../src/requests/status.ts';
import { addEvent, addThreadMessage, insertRequest, type RequestRecord } from '../../src/requests/store.ts';
import { loadRouting, syncRouting, type Routing } from '../../src/routing/rules.ts';
import { loadServiceTargets, type ServiceTargets } from '../../src/targets/service-targets.ts';
import { createWebApp } from '../../src/web/app.ts';
import { hashPassword } from '../../src/web/passwords.ts';
import { upsertUser } from '../../src/web/queries/users.ts';
import { createTestDb, testQueuePrefix, type TestDb } from '../helpers/db.ts';

export const PASSWORD = 'correct horse battery';

export interface Harness {
  db: TestDb;
  app: FastifyInstance;
  config: Config;
  routing: Routing;
  targets: ServiceTargets;
  queues: Queues;
  browser(): Browser;
  /** A browser already signed in as a fresh staff account. */
  signedIn(email?: string): Promise<Browser>;
  close(): Promise<void>;
}

export interface Browser {
  cookies: Map<string, string>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, form: Record<string, string>, opts?: { csrf?: string | null }): Promise<LightMyRequestResponse>;
  /** The CSRF token the last HTML page carried. */
  csrf: string | null;
}

export function csrfOf(body: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? null;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDb();
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    CITYLINE_QUEUE_PREFIX: testQueuePrefix(),
    CITYLINE_REPLY_SECRET: 'web-test-secret-0123456789abcdef',
    ...env,
  });
  const routing = await loadRouting(config.routingFile);
  await syncRouting(db.pool, routing);
  const log = pino({ level: 'silent' });
  const queues = createQueues(config.redisUrl, config.queuePrefix, log);
  const targets = await loadServiceTargets(config.targetsFile);
  const app = await createWebApp({ pool: db.pool, config, routing, targets, queues, log });
  await app.ready();

  const browser = (): Browser => {
    const b: Browser = {
      cookies: new Map(),
      csrf: null,
      async get(url, headers = {}) {
        const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html', cookie: cookieHeader(b), ...headers } });
        remember(b, res);
        return res;
      },
      async post(url, form, opts = {}) {
        const token = opts.csrf === undefined ? b.csrf : opts.csrf;
        const payload = new URLSearchParams({ ...(token ? { _csrf: token } : {}), ...form }).toString();
        const res = await app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: cookieHeader(b) },
        });
        remember(b, res);
        return res;
      },
    };
    return b;
  };

  return {
    db,
    app,
    config,
    routing,
    targets,
    queues,
    browser,
    async signedIn(email = `staff-${randomBytes(3).toString('hex')}@danbury.example`) {
      await createUser(db, email, PASSWORD);
      const b = browser();
      await b.get('/signin');
      const res = await b.post('/signin', { email, password: PASSWORD });
      if (res.statusCode !== 303) throw new Error(`sign-in failed with ${res.statusCode}: ${res.body.slice(0, 300)}`);
      await b.get('/review');
      return b;
    },
    async close() {
      await app.close();
      for (const stage of ['parse', 'classify', 'notify'] as const) await queues.queue(stage).obliterate({ force: true }).catch(() => {});
      await queues.close();
      await db.drop();
    },
  };
}

function cookieHeader(b: Browser): string {
  return [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

function remember(b: Browser, res: LightMyRequestResponse): void {
  for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
    if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) b.cookies.delete(c.name);
    else b.cookies.set(c.name, c.value);
  }
  if ((res.headers['content-type'] ?? '').toString().startsWith('text/html')) b.csrf = csrfOf(res.body) ?? b.csrf;
}

export async function createUser(db: TestDb, email: string, password: string, opts: { mustChangePassword?: boolean } = {}): Promise<void> {
  await upsertUser(db.pool, { email, passwordHash: await hashPassword(password), mustChangePassword: opts.mustChangePassword ?? false });
}

export interface Seed {
  subject?: string;
  text?: string;
  html?: string | null;
  authored?: string;
  from?: string;
  category?: Category;
  confidence?: number;
  alternatives?: { category: Category; confidence: number }[];
  street?: string | null;
  status?: Status;
  reviewReasons?: string[];
  departmentCode?: string | null;
  urgency?: Urgency;
  hazard?: Hazard | null;
  duplicateOf?: number | null;
  createdAt?: Date;
  dueAt?: Date;
  attachments?: { filename: string; contentType: string; content: Buffer; contentId?: string }[];
}

/** A resident's message and the request it opened, as the pipeline would have stored them. */
export async function seedRequest(db: TestDb, s: Seed = {}): Promise<RequestRecord & { inboundId: number; attachmentIds: number[] }> {
  const tag = randomBytes(6).toString('hex');
  const text = s.text ?? 'There is a deep pothole in front of 12 Main Street, please fix it.';
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO inbound_messages (source, source_ref, dedupe_key, raw, raw_size, state, kind, message_id, from_address, from_name,
        subject, text_body, html_body, authored_text, received_at, parsed_at)
     VALUES ('drop', $1, $1, $2, $10, 'done', 'new_request', $3, $4, 'Pat Resident', $5, $6, $7, $8, coalesce($9::timestamptz, now()), now())
     RETURNING id`,
    [`seed-${tag}`, Buffer.from(text), `${tag}@resident.example`, s.from ?? 'pat@resident.example', s.subject ?? 'Pothole', text, s.html ?? null, s.authored ?? text, s.createdAt ?? null, Buffer.byteLength(text)],
  );
  const inboundId = (rows[0] as { id: number }).id;
  const attachmentIds: number[] = [];
  for (const [i, a] of (s.attachments ?? []).entries()) {
    const r = await db.pool.query<{ id: number }>(
      `INSERT INTO attachments (inbound_message_id, part_index, filename, content_type, size, content_id, disposition, content)
       VALUES ($1, $2, $3, $4, $5, $6, 'attachment', $7) RETURNING id`,
      [inboundId, i + 1, a.filename, a.contentType, a.content.length, a.contentId ?? null, a.content],
    );
    attachmentIds.push((r.rows[0] as { id: number }).id);
  }
  const status = s.status ?? 'needs_review';
  const req = await insertRequest(db.pool, {
    trackingNumber: `DB-${tag.slice(0, 6).toUpperCase()}`,
    sourceMessageId: inboundId,
    status,
    residentEmail: s.from ?? 'pat@resident.example',
    residentName: 'Pat Resident',
    subject: s.subject ?? 'Pothole',
    classification: {
      category: s.category ?? 'pothole',
      confidence: s.confidence ?? 0.42,
      alternatives: s.alternatives ?? [
        { category: s.category ?? 'pothole', confidence: s.confidence ?? 0.42 },
        { category: 'street_paving', confidence: 0.31 },
        { category: 'drainage', confidence: 0.12 },
      ],
      language: 'en',
      street: s.street === undefined ? 'Main Street' : s.street,
      houseNumber: s.street === null ? null : '12',
      crossStreet: null,
      outsideTown: null,
      lat: null,
      lon: null,
      streetKnown: s.street !== null,
      streetSuggestions: [],
      needsReview: status === 'needs_review',
      reviewReasons: s.reviewReasons ?? ['low_confidence'],
      modelVersion: 'test-model',
      urgency: s.urgency ?? 'routine',
      hazard: s.hazard ?? null,
      urgencyRule: null,
      urgencyEvidence: null,
    },
    departmentCode: s.departmentCode ?? null,
    duplicateOf: s.duplicateOf ?? null,
    dueAt: s.dueAt ?? null,
  });
  if (!req) throw new Error('seed request was not inserted');
  if (s.createdAt) await db.pool.query('UPDATE requests SET created_at = $2 WHERE id = $1', [req.id, s.createdAt]);
  await db.pool.query('UPDATE inbound_messages SET request_id = $2 WHERE id = $1', [inboundId, req.id]);
  await addThreadMessage(db.pool, { requestId: req.id, direction: 'in', author: 'resident', inboundMessageId: inboundId });
  await addEvent(db.pool, { requestId: req.id, kind: 'classified', actor: 'classifier', details: { category: req.category, confidence: req.confidence } });
  await addEvent(db.pool, { requestId: req.id, kind: 'status', fromStatus: null, toStatus: status, actor: 'pipeline' });
  return { ...req, inboundId, attachmentIds };
}
