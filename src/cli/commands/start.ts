import { startSystem } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { runUntilSignal } from '../run-until-signal.ts';

export async function run(): Promise<number> {
  const system = await startSystem(loadConfig());
  return runUntilSignal(system);
}
