// The Microsoft Graph transport against a local server with the shapes Microsoft documents for
// sendMail (test/helpers/graph-server.ts; Graph itself cannot be reached from here), with tokens from
// the test's OAuth2 token server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.ts';
import { createGraphTransport } from '../../src/notify/graph-transport.ts';
import { createTokenSource } from '../../src/oauth/index.ts';
import { outboundSignInProblem } from '../../src/signin/outbound.ts';
import { startGraphServer, type GraphServer } from '../helpers/graph-server.ts';
import { startTokenServer, type TokenServer } from '../helpers/token-server.ts';
import { headerFields, PNG, sampleMail } from './mail-fixture.ts';

let tokens: TokenServer;
let graph: GraphServer;
const MAILBOX = 'cityline311@danbury.example';

function transport() {
  const source = createTokenSource({ provider: 'generic', tokenUrl: tokens.tokenUrl, clientId: tokens.clientId, clientSecret: tokens.clientSecret, scope: tokens.scope }, MAILBOX);
  return createGraphTransport({ graph: { url: graph.url, mailbox: MAILBOX, scope: tokens.scope }, tokens: source });
}

beforeAll(async () => {
  tokens = await startTokenServer({ lifetimeSeconds: 600, username: MAILBOX });
  graph = await startGraphServer({ isValidToken: (t) => tokens.isActive(t) });
});
afterAll(async () => {
  await graph?.close();
  await tokens?.close();
});
beforeEach(() => {
  graph.sent.length = 0;
  graph.posts.length = 0;
});

describe('Graph sendMail transport', () => {
  it('posts the MIME message base64-encoded as text/plain to /users/{mailbox}/sendMail, keeping our Message-ID and threading headers', async () => {
    const mail = sampleMail();
    const r = await transport().send(mail);
    expect(r.response).toBe('202 accepted by Microsoft Graph');
    expect(graph.sent).toHaveLength(1);
    const got = graph.sent[0];
    expect(got?.mailbox).toBe(MAILBOX);
    expect(got?.parsed.messageId).toBe(`<${mail.messageId}>`);
    expect(got?.parsed.inReplyTo).toBe(`<${mail.inReplyTo}>`);
    expect(got?.parsed.subject).toBe(mail.subject);
    const fields = headerFields(got?.raw ?? Buffer.alloc(0));
    expect(fields.get('references')).toEqual([`<${mail.references[0]}>`]);
    expect(fields.get('auto-submitted')).toEqual(['auto-replied']);
    expect(got?.parsed.attachments[0]?.content.equals(PNG)).toBe(true);
  });

  it('waits out a 429 for as long as Retry-After says, then sends once', async () => {
    graph.failNext(429, { retryAfterSeconds: 2 });
    await transport().send(sampleMail());
    expect(graph.posts.map((p) => p.status)).toEqual([429, 202]);
    const [first, second] = graph.posts;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_950);
    expect(graph.sent).toHaveLength(1);
  });

  it('leaves a long throttle to the job retry (temporary), and a 5xx too', async () => {
    graph.failNext(429, { retryAfterSeconds: 3600 });
    const err = await transport().send(sampleMail()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/failed, will retry: 429 ApplicationThrottled/);
    graph.failNext(504, { code: 'GatewayTimeout' });
    expect(await transport().send(sampleMail()).catch((e: unknown) => e)).not.toBeInstanceOf(PermanentError);
    expect(graph.sent).toHaveLength(0);
  });

  it('gets a new token once when Graph says 401, and reports 403 as a sign-in failure, a 400 as permanent', async () => {
    const t = transport();
    await t.send(sampleMail());
    const before = tokens.requests;
    tokens.expireAll();
    await t.send(sampleMail());
    expect(tokens.requests).toBe(before + 1);
    expect(graph.posts.map((p) => p.status)).toEqual([202, 401, 202]);

    graph.failNext(403, { code: 'ErrorAccessDenied' });
    const denied = await t.send(sampleMail()).catch((e: unknown) => e);
    expect(outboundSignInProblem(denied)).toMatch(/Microsoft Graph refused the app \(403 ErrorAccessDenied.*Mail\.Send/);

    graph.failNext(400, { code: 'ErrorInvalidRecipients' });
    const bad = await t.send(sampleMail()).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PermanentError);
    expect((bad as PermanentError).code).toBe('GRAPH_REJECTED');
  });
});
