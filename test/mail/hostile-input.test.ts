// Hostile input through the real parse and classify stages on a real PostgreSQL: each fixture in
// test/fixtures/hostile/ with the outcome its README names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classify/index.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { storeRawMessage } from '../../src/intake/store.ts';
import type { Payloads, Stage } from '../../src/jobs/catalog.ts';
import { detectAutomated, saysNoReplies } from '../../src/mail/automated.ts';
import { parseMessage } from '../../src/mail/parse.ts';
import type { PipelineDeps } from '../../src/pipeline/deps.ts';
import { recordBounce } from '../../src/requests/replies.ts';
import { loadRouting, syncRouting, type Routing } from '../../src/routing/rules.ts';
import { loadServiceTargets, type ServiceTargets } from '../../src/targets/service-targets.ts';
import { handle as classify } from '../../workers/classify.ts';
import { handle as parse } from '../../workers/parse.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { testEnv } from '../helpers/system.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'hostile');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));

let db: TestDb;
let config: Config;
let routing: Routing;
let classifier: Classifier;
let targets: ServiceTargets;

beforeAll(async () => {
  db = await createTestDb();
  config = loadConfig(testEnv(db));
  routing = await loadRouting(config.routingFile);
  await syncRouting(db.pool, routing);
  classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
  targets = await loadServiceTargets(config.targetsFile);
});
afterAll(async () => {
  await db.drop();
});

interface Outcome {
  inbound: { id: number; state: string; kind: string | null; error: string | null; parseNotes: string[]; textBody: string | null };
  request: { id: number; status: string; reviewReasons: string[]; residentEmail: string | null } | null;
  mail: { kind: string; toAddress: string }[];
}

/** Stores a raw message and runs parse, then classify when parse queues it, as the workers would. */
async function throughStages(raw: Buffer): Promise<Outcome> {
  const queued: { stage: Stage; payload: unknown }[] = [];
  const deps: PipelineDeps = {
    pool: db.pool,
    config,
    routing,
    log: pino({ level: 'silent' }),
    enqueue: async (stage, payload) => {
      queued.push({ stage, payload });
    },
  };
  const stored = await storeRawMessage(db.pool, { raw, source: 'pipe', maxRawBytes: config.maxRawBytes });
  await parse({ inboundMessageId: stored.id }, deps);
  if (queued.some((j) => j.stage === 'classify')) await classify({ inboundMessageId: stored.id } as Payloads['classify'], { ...deps, classifier, targets });
  const { rows: [inbound] } = await db.pool.query(
    `SELECT id, state, kind, error, parse_notes AS "parseNotes", text_body AS "textBody", request_id AS "requestId" FROM inbound_messages WHERE id = $1`,
    [stored.id],
  );
  const { rows: [request] } = await db.pool.query(
    `SELECT id, status, review_reasons AS "reviewReasons", resident_email AS "residentEmail" FROM requests WHERE source_message_id = $1`,
    [stored.id],
  );
  const { rows: mail } = request
    ? await db.pool.query(`SELECT kind, to_address AS "toAddress" FROM outbox WHERE request_id = $1 ORDER BY id`, [request.id])
    : { rows: [] };
  return { inbound, request: request ?? null, mail };
}

async function suppressed(address: string): Promise<{ reason: string } | undefined> {
  const { rows } = await db.pool.query<{ reason: string }>(`SELECT reason FROM mail_suppressions WHERE lower(address) = lower($1)`, [address]);
  return rows[0];
}

describe('hostile input', () => {
  it('10,000 nested <div>s: read plainly, a request opened and its confirmation queued', async () => {
    const o = await throughStages(fixture('deep-html-10000-divs.eml'));
    expect(o.inbound.state).toBe('done');
    expect(o.inbound.textBody).toContain('deep pothole in front of 45 Main Street');
    expect(o.inbound.textBody).toContain('Please fix it soon.');
    expect(o.inbound.parseNotes.join('\n')).toMatch(/could not be converted as usual \(Maximum call stack size exceeded\)/);
    expect(o.request).not.toBeNull();
    expect(o.mail.map((m) => m.kind)).toContain('confirmation');
  });

  it('an Office 365 bounce whose quoted-printable decodes to NULs: recorded, the address suppressed', async () => {
    const raw = fixture('office365-bounce-linkid-qp-nul.eml');
    // The report's text does carry NULs: the test would prove nothing otherwise.
    const verdict = detectAutomated({ raw, parsed: await parseMessage(raw, { maxAttachmentBytes: 1e7 }) }, { ourAddresses: [config.fromAddress], isOurMessageId: () => false });
    expect(verdict?.bounce?.diagnostic).toContain('\0');
    const o = await throughStages(raw);
    expect(o.inbound).toMatchObject({ state: 'ignored', kind: 'bounce' });
    expect(o.request).toBeNull();
    const row = await suppressed('kijitora@example.com');
    expect(row?.reason).toContain('LinkId000000');
    expect(row?.reason).not.toContain('\0');
    // The same report about a known request also lands in its history (jsonb details).
    const { rows: [req] } = await db.pool.query<{ id: number }>('SELECT id FROM requests ORDER BY id LIMIT 1');
    await withTransaction(db.pool, (tx) => recordBounce(tx, { inboundMessageId: o.inbound.id, verdict: verdict!, requestId: req!.id }));
    const { rows: [event] } = await db.pool.query<{ details: { diagnostic: string } }>(`SELECT details FROM request_events WHERE request_id = $1 AND kind = 'bounce'`, [req!.id]);
    expect(event?.details.diagnostic).toContain('LinkId000000');
  });

  it.each([
    ['ses-bounce-raw-json.eml', 'bounce'],
    ['ses-bounce-sns-envelope.eml', 'bounce'],
    ['ses-complaint.eml', 'feedback_report'],
    ['ses-delivery.eml', 'notification'],
  ])('Amazon SES/SNS notification %s: %s, no request, nothing sent', async (file, kind) => {
    const o = await throughStages(fixture(file));
    expect(o.inbound).toMatchObject({ state: 'ignored', kind });
    expect(o.request).toBeNull();
    if (kind === 'bounce') expect(await suppressed('bounce@simulator.amazonses.com')).toBeDefined();
  });

  it('a report from a no-reply@ sender: a request for staff review, and no confirmation', async () => {
    const o = await throughStages(fixture('no-reply-sender.eml'));
    expect(o.request?.status).toBe('needs_review');
    expect(o.request?.reviewReasons).toContain('no_reply_sender');
    expect(o.mail).toEqual([]);
  });

  it('a donotreply@ web-form relay with the resident in Reply-To: confirmed to the resident', async () => {
    const o = await throughStages(fixture('no-reply-relay-with-reply-to.eml'));
    expect(o.request?.residentEmail).toBe('ana.ruiz@resident.example');
    expect(o.request?.reviewReasons).not.toContain('no_reply_sender');
    expect(o.mail).toContainEqual({ kind: 'confirmation', toAddress: 'ana.ruiz@resident.example' });
  });
});

describe('saysNoReplies', () => {
  it.each([
    ['no-reply@sns.amazonaws.com', true],
    ['noreply@github.com', true],
    ['donotreply@forms.example', true],
    ['do-not-reply@city.example', true],
    ['no_reply+alerts@bank.example', true],
    ['noreply-alerts@bank.example', true],
    ['NoReply@Example.com', true],
    ['nora.reply@resident.example', false],
    ['noreen@resident.example', false],
    ['replies@resident.example', false],
  ])('%s -> %s', (address, expected) => {
    expect(saysNoReplies(address)).toBe(expected);
  });
});
