// bin/cityline: each command is a module under ./commands exporting run(args) -> exit code.
// Commands are loaded on demand so `classify` does not pay for the mail stack, nor `ingest` for the model.
import { ConfigError } from '../config/index.ts';
import { describeError, isUnavailable, MigrationError } from '../errors.ts';

interface Command {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  start: { summary: 'run everything in one process: migrations, intake, all workers, the web app', load: () => import('./commands/start.ts') },
  worker: { summary: 'worker <stage...>  run only the named pipeline stages (parse, classify, notify)', load: () => import('./commands/worker.ts') },
  check: { summary: 'check  ask PostgreSQL, Redis, the relay, the routing file and the model; say what to fix', load: () => import('./commands/check.ts') },
  migrate: { summary: 'apply the database migrations', load: () => import('./commands/migrate.ts') },
  ingest: { summary: 'ingest [FILE.eml|-]  store one raw message (MTA pipe); prints its id; exit 75 if the database is down', load: () => import('./commands/ingest.ts') },
  classify: { summary: 'classify [FILE|-] | --jsonl FILE  classify a message or plain text; JSON out', load: () => import('./commands/classify.ts') },
  eval: { summary: 'eval FILE.jsonl  evaluate the classifier on labelled lines', load: () => import('./commands/eval.ts') },
  'eval-urgency': { summary: 'eval-urgency FILE.jsonl  evaluate urgency and hazard recognition on labelled lines', load: () => import('./commands/eval-urgency.ts') },
  train: { summary: 'train  build the model from data/training and staff corrections', load: () => import('./commands/train.ts') },
  bench: { summary: 'bench [--messages N]  push generated messages through the whole pipeline', load: () => import('./commands/bench.ts') },
  report: { summary: 'report [--month M | --quarter Q | --year Y | --from D --to D] [--csv TABLE]  the period report', load: () => import('./commands/report.ts') },
  status: { summary: 'status <tracking-number> [<new-status> [--note TEXT]]  show or change a status', load: () => import('./commands/status.ts') },
  user: { summary: 'user add <email> [--admin|--role R] | user disable <email> | user list  staff accounts', load: () => import('./commands/user.ts') },
  mailbox: { summary: 'mailbox check [--json]  sign in to the mailbox and the outgoing server, list folders; sends nothing', load: () => import('./commands/mailbox.ts') },
  jobs: { summary: 'jobs failed | jobs retry <stage> [job-id]  the dead-letter list, and replaying it', load: () => import('./commands/jobs.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return ['usage: cityline <command> [args]', '', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 64;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`cityline: unknown command "${name}"\n${usage()}\n`);
    return 64;
  }
  const mod = await command.load();
  return mod.run(args);
}

/**
 * A setting, a file or a service a person must fix is said in one line; only a failure nobody expected
 * carries its stack, for the bug report.
 */
function explain(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (err instanceof ConfigError || err instanceof MigrationError || isUnavailable(err)) return describeError(err);
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    const file = (err as { path?: unknown }).path;
    return typeof file === 'string' ? `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'it is a folder'}` : describeError(err);
  }
  return err.stack ?? err.message;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cityline: ${explain(err)}\n`);
    process.exitCode = 1;
  },
);
