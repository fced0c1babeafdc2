// Checks that the configured mailbox works, the way intake and notify will use it, without changing
// anything: gets a token (OAuth2), signs in over IMAP, lists the folders, looks at the watched
// mailbox and the Processed folder, and signs in to the outgoing server. Nothing is sent, created or
// moved. Each step says in plain words what is wrong and what to do. Used by `cityline mailbox check`.
import { ImapFlow } from 'imapflow';
import { pino } from 'pino';
import type { Config, ImapConfig } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { createTransport } from '../notify/transport.ts';
import { createTokenSource, type TokenSource } from '../oauth/index.ts';
import { imapSignInProblem } from './imap-errors.ts';
import { withTimeout } from './waits.ts';

export interface CheckStep {
  /** What was checked, e.g. "IMAP sign-in". */
  name: string;
  ok: boolean;
  /** What was found, or what is wrong and what to do about it. */
  detail: string;
}

export interface MailboxCheck {
  ok: boolean;
  steps: CheckStep[];
}

const STEP_TIMEOUT_MS = 30_000;

function minutesLeft(expiresAt: number): string {
  return `${Math.max(0, Math.round((expiresAt - Date.now()) / 60_000))} min`;
}

function connectionProblem(err: unknown, host: string, port: number): string {
  const text = describeError(err);
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return `the host name ${host} cannot be resolved (${text}): check the host in the URL`;
  if (/ECONNREFUSED/.test(text)) return `nothing accepts connections at ${host}:${port} (${text}): check the port, and that the server is running`;
  if (/ETIMEDOUT|got no answer/.test(text)) return `${host}:${port} does not answer (${text}): a firewall may be dropping the connection`;
  if (/certificate|self.signed|TLS|SSL/i.test(text)) return `the TLS connection to ${host}:${port} failed (${text}): imaps:// is for port 993, imap:// for 143`;
  return `cannot talk to ${host}:${port}: ${text}`;
}

async function token(steps: CheckStep[], name: string, tokens: TokenSource): Promise<boolean> {
  try {
    const t = await withTimeout(tokens.get({ renew: true }), STEP_TIMEOUT_MS, 'the token request');
    steps.push({ name, ok: true, detail: `got an access token for ${tokens.user} from ${tokens.describe} (valid for ${minutesLeft(t.expiresAt)})` });
    return true;
  } catch (err) {
    steps.push({ name, ok: false, detail: `${describeError(err)}. Check the client id, the secret (or certificate) and that an admin granted consent` });
    return false;
  }
}

async function checkImap(config: Config, imap: ImapConfig, steps: CheckStep[]): Promise<void> {
  let auth: { user: string; pass: string } | { user: string; accessToken: string };
  if (imap.password === null) {
    if (!config.oauth) return;
    const tokens = createTokenSource(config.oauth, imap.user);
    if (!(await token(steps, 'IMAP access token', tokens))) return;
    auth = { user: imap.user, accessToken: (await tokens.get()).token };
  } else {
    auth = { user: imap.user, pass: imap.password };
  }
  const c = new ImapFlow({ host: imap.host, port: imap.port, secure: imap.secure, auth, logger: false, disableAutoIdle: true, connectionTimeout: 20_000, greetingTimeout: 15_000 });
  c.on('error', () => {});
  const how = imap.password === null ? 'an OAuth2 token' : 'a password';
  try {
    try {
      await withTimeout(c.connect(), STEP_TIMEOUT_MS, 'IMAP sign-in');
    } catch (err) {
      const problem = imapSignInProblem(err, { user: imap.user, oauth: imap.password === null });
      steps.push({ name: 'IMAP sign-in', ok: false, detail: problem ?? connectionProblem(err, imap.host, imap.port) });
      return;
    }
    steps.push({ name: 'IMAP sign-in', ok: true, detail: `signed in to ${imap.host}:${imap.port} as ${imap.user} with ${how}` });
    const folders = await withTimeout(c.list(), STEP_TIMEOUT_MS, 'IMAP LIST');
    const paths = folders.map((f) => f.path);
    steps.push({ name: 'folders', ok: true, detail: `${paths.length} folders: ${paths.join(', ')}` });
    const exists = (p: string) => paths.some((x) => x.toLowerCase() === p.toLowerCase());
    for (const [name, folder, missing] of [
      ['watched mailbox', imap.mailbox, `${imap.mailbox} does not exist: check the path at the end of IMAP_URL (usually /INBOX)`],
      ['Processed folder', imap.processedFolder, `${imap.processedFolder} does not exist yet: intake creates it when it starts (IMAP_PROCESSED_FOLDER names another)`],
    ] as const) {
      if (!exists(folder)) {
        steps.push({ name, ok: name !== 'watched mailbox', detail: missing });
        continue;
      }
      try {
        const st = await withTimeout(c.status(folder, { messages: true, unseen: true }), STEP_TIMEOUT_MS, `IMAP STATUS ${folder}`);
        steps.push({ name, ok: true, detail: st ? `${folder}: ${st.messages ?? 0} messages, ${st.unseen ?? 0} unread` : `${folder} is there` });
      } catch (err) {
        const problem = imapSignInProblem(err, { user: imap.user, oauth: imap.password === null });
        steps.push({ name, ok: false, detail: problem ?? `cannot read ${folder}: ${describeError(err)}` });
      }
    }
  } finally {
    if (c.usable) await withTimeout(c.logout(), 2_000, 'IMAP LOGOUT').catch(() => c.close());
    else c.close();
  }
}

/** The outgoing side alone: SMTP sign-in (verify, nothing sent), a Graph token, or the file outbox. */
export async function checkOutgoing(config: Config): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  await outgoing(config, steps);
  return steps;
}

/** The incoming side alone: token, IMAP sign-in, folders, watched mailbox, Processed folder. */
export async function checkIncoming(config: Config): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  if (config.imap === null) {
    steps.push({ name: 'incoming mail', ok: false, detail: `IMAP_URL is not set: CityLine reads .eml files from ${config.dropDir} instead of a mailbox` });
  } else {
    await checkImap(config, config.imap, steps);
  }
  return steps;
}

async function outgoing(config: Config, steps: CheckStep[]): Promise<void> {
  if (config.mailTransport === 'file') {
    steps.push({ name: 'outgoing mail', ok: true, detail: `no SMTP_URL: outgoing mail is written as .eml files to ${config.outboxDir}` });
    return;
  }
  if (config.mailTransport === 'graph' && config.graph && config.oauth) {
    const tokens = createTokenSource(config.oauth, config.graph.mailbox, config.graph.scope);
    if (await token(steps, 'Microsoft Graph access token', tokens)) {
      steps.push({ name: 'outgoing mail', ok: true, detail: `mail will be sent as ${config.graph.mailbox} through ${config.graph.url}; Graph cannot check Mail.Send without sending, so nothing was tried` });
    }
    return;
  }
  if (!config.smtpUrl) return;
  const u = new URL(config.smtpUrl);
  const user = decodeURIComponent(u.username);
  const oauth = user !== '' && !u.password;
  let tokens: TokenSource | undefined;
  if (oauth && config.oauth) {
    tokens = createTokenSource(config.oauth, user);
    if (!(await token(steps, 'SMTP access token', tokens))) return;
  }
  // The steps say what went wrong; nodemailer's own log would only repeat it.
  const t = createTransport({ smtpUrl: config.smtpUrl, outboxDir: config.outboxDir, log: pino({ level: 'silent' }), ...(tokens ? { tokens } : {}) });
  const where = `${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`;
  try {
    await withTimeout(t.verify?.() ?? Promise.resolve(), STEP_TIMEOUT_MS, 'SMTP sign-in');
    steps.push({ name: 'SMTP sign-in', ok: true, detail: `signed in to ${where}${user ? ` as ${user}` : ''}; nothing was sent` });
  } catch (err) {
    const e = err as { code?: string; response?: string };
    const detail =
      e.code === 'EAUTH'
        ? `${where} refused the sign-in for ${user} ("${e.response ?? describeError(err)}"): ${oauth ? 'check the app\'s SMTP.SendAsApp permission, admin consent, and that SMTP AUTH is enabled for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false)' : 'check the user and password in SMTP_URL'}`
        : connectionProblem(err, u.hostname, Number(u.port) || 587);
    steps.push({ name: 'SMTP sign-in', ok: false, detail });
  } finally {
    await t.close();
  }
}

export async function checkMailbox(config: Config): Promise<MailboxCheck> {
  const steps = [...(await checkIncoming(config)), ...(await checkOutgoing(config))];
  return { ok: steps.every((s) => s.ok), steps };
}

/** The result as lines a person reads: one per step, then the verdict. */
export function formatMailboxCheck(r: MailboxCheck): string {
  const lines = r.steps.map((s) => `${s.ok ? 'ok     ' : 'PROBLEM'}  ${s.name}: ${s.detail}`);
  lines.push(r.ok ? 'The mailbox is ready.' : 'The mailbox is not ready: fix what is marked PROBLEM, then run this again.');
  return `${lines.join('\n')}\n`;
}
