// `cityline user add <email> [--admin]`: creates a staff account (or resets its password, which ends
// every session it has). `cityline user disable <email>`: the account can no longer sign in, and is
// signed out everywhere at once (`user add` enables it again, with a new password).
// With a terminal on stdin `add` prints a generated one-time password; piped, it reads the password from stdin.
import { loadConfig } from '../../config/index.ts';
import { createPool, ensureDatabase } from '../../db/pool.ts';
import { migrate } from '../../db/migrate.ts';
import { parseAddress } from '../../mail/address.ts';
import { MIN_PASSWORD_LENGTH, generatePassword, hashPassword } from '../../web/passwords.ts';
import { deleteUserSessions } from '../../web/queries/sessions.ts';
import { disableUser, upsertUser } from '../../web/queries/users.ts';

const USAGE = 'usage: cityline user add <email> [--admin]   (pipe a password on stdin, or one is generated and printed)\n' +
  '       cityline user disable <email>';

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
  const unknown = rest.filter((a) => a !== '--admin' || sub !== 'add');
  if ((sub !== 'add' && sub !== 'disable') || !email || unknown.length > 0) {
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
    const { id, created } = await upsertUser(pool, {
      email: address,
      passwordHash: await hashPassword(password),
      isAdmin: rest.includes('--admin'),
      mustChangePassword: generated,
    });
    // A reset password is often a suspected leak: whoever holds a session made with the old one is out.
    const ended = created ? 0 : await deleteUserSessions(pool, id);
    process.stderr.write(`${created ? 'created' : 'updated'} staff account ${address}${rest.includes('--admin') ? ' (admin)' : ''}${created ? '' : `; ${ended} session${ended === 1 ? '' : 's'} ended`}\n`);
    if (generated) {
      process.stderr.write('one-time password (it must be changed at the first sign-in):\n');
      process.stdout.write(`${password}\n`);
    }
    return 0;
  });
}
