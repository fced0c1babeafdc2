// `cityline user add <email> [--admin]`: creates a staff account (or resets its password).
// With a terminal on stdin it prints a generated one-time password; piped, it reads the password from stdin.
import { loadConfig } from '../../config/index.ts';
import { createPool, ensureDatabase } from '../../db/pool.ts';
import { migrate } from '../../db/migrate.ts';
import { MIN_PASSWORD_LENGTH, generatePassword, hashPassword } from '../../web/passwords.ts';
import { upsertUser } from '../../web/queries/users.ts';

const USAGE = 'usage: cityline user add <email> [--admin]   (pipe a password on stdin, or one is generated and printed)';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Only the first line: `echo pw |` adds a newline that is not part of the password.
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
}

export async function run(args: string[]): Promise<number> {
  const [sub, email, ...rest] = args;
  const unknown = rest.filter((a) => a !== '--admin');
  if (sub !== 'add' || !email || unknown.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(email)) {
    process.stderr.write(`cityline user: "${email}" is not an email address\n`);
    return 64;
  }
  const generated = process.stdin.isTTY === true;
  const password = generated ? generatePassword() : await readStdin();
  if (password.length < MIN_PASSWORD_LENGTH) {
    process.stderr.write(`cityline user: the password must be at least ${MIN_PASSWORD_LENGTH} characters\n`);
    return 65;
  }
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 1);
  try {
    await migrate(pool);
    const { created } = await upsertUser(pool, {
      email: email.toLowerCase(),
      passwordHash: await hashPassword(password),
      isAdmin: rest.includes('--admin'),
      mustChangePassword: generated,
    });
    process.stderr.write(`${created ? 'created' : 'updated'} staff account ${email.toLowerCase()}${rest.includes('--admin') ? ' (admin)' : ''}\n`);
    if (generated) {
      process.stderr.write('one-time password (it must be changed at the first sign-in):\n');
      process.stdout.write(`${password}\n`);
    }
    return 0;
  } finally {
    await pool.end();
  }
}
