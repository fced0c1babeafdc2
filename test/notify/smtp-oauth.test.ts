// SMTP with OAuth2 (SASL XOAUTH2, nodemailer's provision callback) against the smtp-server peer that
// accepts only a token the test's token server says is valid right now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPermanent } from '../../src/errors.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { createTokenSource } from '../../src/oauth/index.ts';
import { outboundSignInProblem } from '../../src/signin/outbound.ts';
import { testLog } from '../helpers/db.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { startTokenServer, type TokenServer } from '../helpers/token-server.ts';
import { sampleMail } from './mail-fixture.ts';

let tokens: TokenServer;
let smtp: SmtpPeer;
let accept = true;

const tokenSource = () =>
  createTokenSource({ provider: 'generic', tokenUrl: tokens.tokenUrl, clientId: tokens.clientId, clientSecret: tokens.clientSecret, scope: tokens.scope }, 'cityline311@danbury.example');
const transport = (source = tokenSource()) => createTransport({ smtpUrl: `smtp://cityline311%40danbury.example@127.0.0.1:${smtp.port}`, outboxDir: '/nonexistent', log: testLog, tokens: source });

beforeAll(async () => {
  tokens = await startTokenServer({ lifetimeSeconds: 600, username: 'cityline311@danbury.example' });
  smtp = await startSmtpPeer({ xoauth2: (user, token) => accept && user === 'cityline311@danbury.example' && tokens.isActive(token) });
});
afterAll(async () => {
  await smtp?.close();
  await tokens?.close();
});

describe('SMTP with XOAUTH2', () => {
  it('signs in with a token, and asks for a new one when the server refuses the cached one', async () => {
    const source = tokenSource();
    const t = transport(source);
    try {
      await t.send(sampleMail({ to: 'one@example.com' }));
      expect(tokens.requests).toBe(1);
      // Revoked at the server while our cache still holds it: the next sign-in (a new connection) is
      // refused once, and nodemailer asks again with renew=true.
      tokens.expireAll();
      await t.close();
      const t2 = transport(source);
      await t2.send(sampleMail({ to: 'two@example.com' }));
      await t2.close();
      expect(tokens.requests).toBe(2);
      expect(smtp.messages.map((m) => m.envelopeTo[0])).toEqual(['one@example.com', 'two@example.com']);
    } finally {
      await t.close();
    }
  });

  it('a refused sign-in is a sign-in failure that keeps the mail queued, not a refused message', async () => {
    accept = false;
    const t = transport();
    try {
      const err = await t.send(sampleMail()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isPermanent(err)).toBe(false);
      expect(outboundSignInProblem(err)).not.toBeNull();
    } finally {
      accept = true;
      await t.close();
    }
  });
});
