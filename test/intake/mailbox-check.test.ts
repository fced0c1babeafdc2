// bin/cityline mailbox check as an admin runs it, against a real Dovecot (oauth2 passdb asking a token
// server this test runs) and an SMTP peer that accepts only XOAUTH2: it signs in, lists, and says in
// plain words what is wrong, and it sends, creates and moves nothing.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/index.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { oauthEnv, startTokenServer, type TokenServer } from '../helpers/token-server.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'cityline');
let tokens: TokenServer;
let dovecot: Dovecot;
let smtp: SmtpPeer;

function cityline(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CITYLINE_LOG_LEVEL: 'warn', CITYLINE_REPLY_SECRET: 'mailbox-check-test-secret', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const check = (env: Record<string, string>, args: string[] = []) => cityline(['mailbox', 'check', ...args], env);

const oauthMailbox = (): Record<string, string> => ({
  IMAP_URL: `imap://resident311@127.0.0.1:${dovecot.port}/INBOX`,
  SMTP_URL: `smtp://cityline311%40danbury.example@127.0.0.1:${smtp.port}`,
  ...oauthEnv(tokens),
});

beforeAll(async () => {
  tokens = await startTokenServer({ lifetimeSeconds: 600, username: 'resident311' });
  dovecot = await startDovecot({ oauth2IntrospectionUrl: tokens.introspectionUrl });
  smtp = await startSmtpPeer({ xoauth2: (_user, token) => tokens.isActive(token) });
  await dovecot.append('From: a@example.com\r\nSubject: waiting\r\nMessage-ID: <waiting@example.com>\r\n\r\nstill here\r\n');
});

afterAll(async () => {
  await smtp?.close();
  await dovecot?.stop();
  await tokens?.close();
});

describe('cityline mailbox check', () => {
  it('signs in with OAuth2 over IMAP and SMTP, lists the folders, and changes nothing', async () => {
    const r = await check(oauthMailbox());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok       IMAP access token: got an access token for resident311 from ${tokens.tokenUrl}`);
    expect(r.stdout).toContain(`ok       IMAP sign-in: signed in to 127.0.0.1:${dovecot.port} as resident311 with an OAuth2 token`);
    expect(r.stdout).toMatch(/ok {7}folders: \d+ folders: INBOX/);
    expect(r.stdout).toContain('ok       watched mailbox: INBOX: 1 messages, 1 unread');
    expect(r.stdout).toContain('Processed does not exist yet: intake creates it when it starts');
    expect(r.stdout).toContain('ok       SMTP sign-in: signed in to 127.0.0.1');
    expect(r.stdout).toContain('nothing was sent');
    expect(r.stdout.trim().endsWith('The mailbox is ready.')).toBe(true);
    expect(smtp.messages).toHaveLength(0);
    const inbox = await dovecot.list('INBOX');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.flags).not.toContain('\\Seen');
    await expect(dovecot.list('Processed')).rejects.toThrow();
  });

  it('says so in plain words when the token endpoint refuses the app', async () => {
    tokens.refuse('unauthorized_client', 'AADSTS700016: Application with identifier was not found in the directory');
    try {
      const r = await check(oauthMailbox());
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('PROBLEM  IMAP access token: could not get an access token for resident311');
      expect(r.stdout).toContain('AADSTS700016');
      expect(r.stdout).toContain('Check the client id, the secret (or certificate) and that an admin granted consent');
      expect(r.stdout).toContain('PROBLEM  SMTP access token');
      expect(r.stdout).toContain('The mailbox is not ready');
    } finally {
      tokens.accept();
    }
  });

  it('tells a refused password and an unreachable server apart', async () => {
    const wrong = await check({ IMAP_URL: `imap://resident311:wrong@127.0.0.1:${dovecot.port}/INBOX` });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('PROBLEM  IMAP sign-in: the server refused the user and password for resident311');
    const nowhere = await check({ IMAP_URL: 'imap://resident311:pw@127.0.0.1:1/INBOX' });
    expect(nowhere.stdout).toContain('PROBLEM  IMAP sign-in: nothing accepts connections at 127.0.0.1:1');
    const json = await check({ IMAP_URL: 'imap://resident311:pw@127.0.0.1:1/INBOX' }, ['--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, steps: [{ name: 'IMAP sign-in', ok: false }, { name: 'outgoing mail', ok: true }] });
  });

  it('is part of cityline check, which signs in to the OAuth2 mailbox and relay the same way', async () => {
    const r = await cityline(['check'], oauthMailbox());
    expect(r.stdout).toMatch(/^OK\s+IMAP sign-in\s+signed in to 127\.0\.0\.1:\d+ as resident311 with an OAuth2 token$/m);
    expect(r.stdout).toMatch(/^OK\s+SMTP sign-in\s+signed in to 127\.0\.0\.1:\d+ as cityline311@danbury\.example; nothing was sent$/m);
    expect(r.stdout).not.toMatch(/^FAIL\s+(IMAP|SMTP|Outgoing)/m);
    expect(smtp.messages).toHaveLength(0);
  });

  it('names a missing setting', async () => {
    const r = await check({ IMAP_URL: `imap://resident311@127.0.0.1:${dovecot.port}/INBOX` });
    expect(r.code).toBe(78);
    expect(r.stdout).toContain('PROBLEM  configuration: IMAP_URL names a user but no password: set CITYLINE_OAUTH_PROVIDER');
  });
});
