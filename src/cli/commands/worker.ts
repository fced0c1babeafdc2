import { startSystem } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { waitForServices } from '../../health/wait-for-services.ts';
import { isStage, STAGES } from '../../jobs/catalog.ts';
import { createLogger } from '../../log.ts';
import { runUntilSignal } from '../run-until-signal.ts';

export async function run(args: string[]): Promise<number> {
  const wanted = args.filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((s) => !isStage(s));
  if (wanted.length === 0 || unknown.length > 0) {
    process.stderr.write(`usage: cityline worker <stage...>  (stages: ${STAGES.join(', ')})${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}\n`);
    return 64;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  return runUntilSignal(log, async (signal) => {
    await waitForServices(config, log, { signal });
    return startSystem(config, { stages: wanted.filter(isStage), intake: args.includes('--intake'), web: false, log, signal });
  });
}
