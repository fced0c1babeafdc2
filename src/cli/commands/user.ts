// `cityline user add <email> [--admin | --role admin|agent|read-only]`: creates a staff account (or resets
// its password, which ends every session it has, and enables it); an existing account keeps its role unless
// one is given, so a reset never demotes an admin. `cityline user disable <email>`: the account can no
// longer sign in, and is signed out everywhere at once. `cityline user list`: every account, its role and
// state. With a terminal on stdin `add` prints a generated one-time password; piped, it reads it from stdin.
import { loadConfig } from '../../config/index.ts';
import { createPool, ensureDatabase } from '../../db/pool.ts';
import { migrate } from '../../db/migrate.ts';
import { parseAddress } from '../../mail/address.ts';
import { MIN_PASSWORD_LENGTH, generatePassword, hashPassword } from '../../web/passwords.ts';
import { deleteUserSessions } from '../../web/queries/sessions.ts';
import type { Role } from '../../web/queries/sessions.ts';
import { disableUser, listStaff, upsertUser, type UpsertedUser } from '../../web/queries/users.ts';

const USAGE = 'usage: cityline user add <email> [--admin | --role admin|agent|read-only]   (pipe a password on stdin, or one is generated and printed)\n' +
  '       cityline user disable <email>\n' +
  '       cityline user list';

const ROLES: Record<string, Role> = { admin: 'admin', agent: 'agent', 'read-only': 'read_only' };
const roleName = (r: Role): string => (r === 'read_only' ? 'read-only' : r);

/** The role `add` was asked for: undefined when none (keep an existing account's), null when the flags are wrong. */
function requestedRole(flags: string[]): Role | undefined | null {
  if (flags.length === 0) return undefined;
  if (flags.length === 1 && flags[0] === '--admin') return 'admin';
  if (flags.length === 2 && flags[0] === '--role') return ROLES[flags[1] ?? ''] ?? null;
  return null;
}

/** What `add` did, in one line: a city IT admin reads from it whether a role changed. */
function describeUpsert(address: string, u: UpsertedUser, ended: number): string {
  if (!u.before) return `created staff account ${address} (${roleName(u.role)})`;
  const role = u.before.role === u.role ? `role ${roleName(u.role)} (unchanged)` : `role ${roleName(u.before.role)} -> ${roleName(u.role)}`;
  return `updated staff account ${address}: password reset; ${role}${u.before.disabled ? '; enabled again' : ''}; ${ended} session${ended === 1 ? '' : 's'} ended`;
}

async function list(pool: ReturnType<typeof createPool>): Promise<number> {
  const staff = await listStaff(pool);
  if (staff.length === 0) {
    process.stdout.write('no staff accounts (create one with: cityline user add you@example.org --admin)\n');
    return 0;
  }
  const rows = staff.map((u) => [u.email, roleName(u.role), u.disabled ? 'disabled' : u.mustChangePassword ? 'must change password' : 'active', u.lastSignIn ? u.lastSignIn.toISOString().slice(0, 16).replace('T', ' ') : 'never']);
  const table = [['EMAIL', 'ROLE', 'STATE', 'LAST SIGN-IN (UTC)'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Only the first line: `echo pw |` adds a newline that is not part of the password.
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
}

async function withDatabase<T>(fn: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 1);
  try {
    await migrate(pool);
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

export async function run(args: string[]): Promise<number> {
  const [sub, email, ...rest] = args;
  if (sub === 'list' && args.length === 1) return withDatabase(list);
  const role = sub === 'add' ? requestedRole(rest) : rest.length === 0 ? undefined : null;
  if ((sub !== 'add' && sub !== 'disable') || !email || role === null) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const address = parseAddress(email);
  if (address === null || email.includes('<')) {
    process.stderr.write(`cityline user: "${email}" is not an email address\n`);
    return 64;
  }
  if (sub === 'disable') {
    return withDatabase(async (pool) => {
      const user = await disableUser(pool, address);
      if (!user) {
        process.stderr.write(`cityline user: there is no staff account ${address}\n`);
        return 65;
      }
      const ended = await deleteUserSessions(pool, user.id);
      process.stderr.write(`disabled staff account ${address}; ${ended} session${ended === 1 ? '' : 's'} ended\n`);
      return 0;
    });
  }
  const generated = process.stdin.isTTY === true;
  const password = generated ? generatePassword() : await readStdin();
  if (password.length < MIN_PASSWORD_LENGTH) {
    process.stderr.write(`cityline user: the password must be at least ${MIN_PASSWORD_LENGTH} characters\n`);
    return 65;
  }
  return withDatabase(async (pool) => {
    const upserted = await upsertUser(pool, { email: address, passwordHash: await hashPassword(password), role, mustChangePassword: generated });
    // A reset password is often a suspected leak: whoever holds a session made with the old one is out.
    const ended = upserted.created ? 0 : await deleteUserSessions(pool, upserted.id);
    process.stderr.write(`${describeUpsert(address, upserted, ended)}\n`);
    if (generated) {
      process.stderr.write('one-time password (it must be changed at the first sign-in):\n');
      process.stdout.write(`${password}\n`);
    }
    return 0;
  });
}
