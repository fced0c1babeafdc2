// cityline check: asks every service and file the system depends on, prints what to fix; exit 1 if anything must be.
import { loadConfig } from '../../config/index.ts';
import { formatReport, runAllChecks } from '../../health/checks.ts';

export async function run(): Promise<number> {
  const results = await runAllChecks(loadConfig());
  process.stdout.write(`${formatReport(results)}\n`);
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
