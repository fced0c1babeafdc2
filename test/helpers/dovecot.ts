// A real Dovecot IMAP server per test file, from the project's own config, in a fresh temporary folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { ImapConfig } from '../../src/config/index.ts';

const DOVECOT = '/usr/sbin/dovecot';
const TEMPLATE = path.join(import.meta.dirname, '..', 'dovecot', 'dovecot.conf.template');

export interface DovecotMessage {
  uid: number;
  messageId: string | null;
  flags: string[];
}

export interface Dovecot {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** imap://user:pass@127.0.0.1:PORT/INBOX */
  imapUrl(mailbox?: string): string;
  /** An ImapConfig for this server with test-friendly timings, for code that takes one directly. */
  imapConfig(overrides?: Partial<ImapConfig>): ImapConfig;
  /** APPENDs a message over IMAP through a client of the helper's own. */
  append(raw: Buffer | string, mailbox?: string): Promise<void>;
  list(mailbox: string): Promise<DovecotMessage[]>;
  /**
   * Stops (SIGSTOP) every IMAP session process open right now: their connections stay up but the
   * server goes silent on them, as IDLE does when it dies in the wild. Returns the function that
   * resumes them. New connections get fresh processes and work normally.
   */
  freezeSessions(): Promise<() => void>;
  /** Stops and starts the server on the same port and mail folder: every client is disconnected. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function dovecotIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((l) => l.startsWith('dovecot:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (!uid || !gid) throw new Error('the system has no "dovecot" user; .ci/run installs dovecot-imapd, which creates it');
  return { uid: Number(uid), gid: Number(gid) };
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('* OK'));
    });
    s.once('error', () => resolve(false));
  });
}

/** Session processes are the master's children named "imap" (login and auth processes have other names). */
async function imapChildren(masterPid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && m[1] === 'imap' && Number(m[2]) === masterPid) pids.push(Number(entry));
  }
  return pids;
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Already gone: Dovecot ended the session.
  }
}

// Dovecot's usual capabilities after login, less IDLE: a server that only lets clients poll.
const CAPABILITIES_WITHOUT_IDLE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

export interface DovecotOptions {
  /** Leave IDLE out of the advertised capabilities. */
  withoutIdle?: boolean;
  /** Listen on this port (a test that watched it refuse connections) instead of a free one. */
  port?: number;
  /**
   * Also accept OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER) for the user, checked by Dovecot's
   * oauth2 passdb against this RFC 7662 introspection URL (test/helpers/token-server.ts). The
   * password still works, for the helper's own client.
   */
  oauth2IntrospectionUrl?: string;
}

function oauth2Config(base: string): string {
  return `
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${base}/dovecot-oauth2.conf.ext
}
`;
}

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) {
    throw new Error(`${DOVECOT} is missing: the IMAP tests need Debian's dovecot-imapd (.ci/run installs it: apt-get install dovecot-imapd)`);
  }
  const ids = await dovecotIds();
  const base = await mkdtemp(path.join(os.tmpdir(), 'cityline-dovecot-'));
  // The mail processes run as the dovecot user and must be able to reach their folders.
  await chmod(base, 0o755);
  for (const dir of ['mail', 'home']) {
    await mkdir(path.join(base, dir));
    await chown(path.join(base, dir), ids.uid, ids.gid);
  }
  const user = 'resident311';
  const password = 'test-password';
  await writeFile(path.join(base, 'users'), `${user}:{PLAIN}${password}\n`);
  if (options.oauth2IntrospectionUrl) {
    // Dovecot 2.3's oauth2 passdb: POST token=... to the URL; the token is good while "active" is true
    // and "username" names the user signing in.
    await writeFile(
      path.join(base, 'dovecot-oauth2.conf.ext'),
      [`introspection_mode = post`, `introspection_url = ${options.oauth2IntrospectionUrl}`, 'force_introspection = yes', 'username_attribute = username', 'active_attribute = active', 'active_value = true', ''].join('\n'),
    );
  }
  const template = await readFile(TEMPLATE, 'utf8');

  let port = 0;
  let master: ChildProcess | null = null;
  let helper: ImapFlow | null = null;
  const frozen = new Set<number>();

  async function launch(): Promise<void> {
    const conf = template
      .replaceAll('@@BASE@@', base)
      .replaceAll('@@PORT@@', String(port))
      .replaceAll('@@UID@@', String(ids.uid))
      .replaceAll('@@GID@@', String(ids.gid))
      .concat(options.withoutIdle ? `imap_capability = ${CAPABILITIES_WITHOUT_IDLE}\n` : '')
      .concat(options.oauth2IntrospectionUrl ? oauth2Config(base) : '');
    const confPath = path.join(base, 'dovecot.conf');
    await writeFile(confPath, conf);
    const child = spawn(DOVECOT, ['-F', '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (exited || Date.now() > deadline) {
        child.kill('SIGKILL');
        const log = await readFile(path.join(base, 'dovecot.log'), 'utf8').catch(() => '');
        throw new Error(`dovecot did not start on 127.0.0.1:${port} (config ${confPath}): ${stderr.trim()} ${log.split('\n').slice(-8).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    master = child;
  }

  async function halt(): Promise<void> {
    await closeHelper();
    const child = master;
    master = null;
    if (!child || child.exitCode !== null) return;
    for (const pid of frozen) resume(pid);
    frozen.clear();
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async function closeHelper(): Promise<void> {
    const c = helper;
    helper = null;
    if (c) await c.logout().catch(() => c.close());
  }

  async function client(): Promise<ImapFlow> {
    if (helper?.usable) return helper;
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
    c.on('error', () => {});
    await c.connect();
    helper = c;
    return c;
  }

  for (let attempt = 1; ; attempt++) {
    port = options.port ?? (await freePort());
    try {
      await launch();
      break;
    } catch (err) {
      // Another process may have taken the port between our probe and Dovecot's bind.
      if (attempt >= 3 || options.port !== undefined) throw err;
    }
  }

  const imapUrl = (mailbox = 'INBOX'): string => `imap://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(mailbox)}`;

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    user,
    password,
    imapUrl,
    imapConfig(overrides = {}) {
      return {
        url: imapUrl(),
        host: '127.0.0.1',
        port,
        secure: false,
        user,
        password,
        mailbox: 'INBOX',
        processedFolder: 'Processed',
        pollSeconds: 60,
        batchSize: 25,
        idleDelayMs: 100,
        idleWatchdogSeconds: 300,
        ...overrides,
      };
    },
    async append(raw, mailbox = 'INBOX') {
      const c = await client();
      await c.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw);
    },
    async list(mailbox) {
      const c = await client();
      const lock = await c.getMailboxLock(mailbox, { readOnly: true });
      try {
        // The helper never idles: NOOP brings its view of a mailbox it already had open up to date.
        await c.noop();
        if (c.mailbox === false || c.mailbox.exists === 0) return [];
        const out: DovecotMessage[] = [];
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          out.push({ uid: m.uid, messageId: m.envelope?.messageId?.replace(/^<|>$/g, '') ?? null, flags: [...(m.flags ?? [])] });
        }
        return out;
      } finally {
        lock.release();
      }
    },
    async freezeSessions() {
      // The helper's own session must stay usable: drop it so that it is not among those frozen.
      await closeHelper();
      const pid = master?.pid;
      if (!pid) throw new Error('dovecot is not running');
      const pids = await imapChildren(pid);
      for (const p of pids) {
        process.kill(p, 'SIGSTOP');
        frozen.add(p);
      }
      return () => {
        for (const p of pids) {
          if (frozen.delete(p)) resume(p);
        }
      };
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      await rm(base, { recursive: true, force: true });
    },
  };
}
