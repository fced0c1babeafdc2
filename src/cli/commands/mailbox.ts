// cityline mailbox check: is the configured mailbox ready? Signs in and looks; sends and changes nothing.
import { ConfigError, loadConfig } from '../../config/index.ts';
import { checkMailbox, formatMailboxCheck } from '../../intake/mailbox-check.ts';

export async function run(args: string[]): Promise<number> {
  if (args[0] !== 'check' || args.length > 2 || (args[1] !== undefined && args[1] !== '--json')) {
    process.stderr.write('usage: cityline mailbox check [--json]\n');
    return 64;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stdout.write(`PROBLEM  configuration: ${err.message}\nThe mailbox is not ready: fix what is marked PROBLEM, then run this again.\n`);
    return 78; // EX_CONFIG
  }
  const result = await checkMailbox(config);
  process.stdout.write(args[1] === '--json' ? `${JSON.stringify(result)}\n` : formatMailboxCheck(result));
  return result.ok ? 0 : 1;
}
