import type { System } from '../app.ts';

// The first signal drains (intake stops, running jobs finish, pools close); a second one forces the exit.
const DRAIN_DEADLINE_MS = 30_000;

export function runUntilSignal(system: System): Promise<number> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        system.log.warn({ signal }, 'second signal: exiting without draining');
        process.exit(130);
      }
      signalled = true;
      system.log.info({ signal }, 'stopping: draining work in progress');
      const force = setTimeout(() => {
        system.log.error('drain took too long; exiting');
        process.exit(1);
      }, DRAIN_DEADLINE_MS);
      force.unref();
      system.stop().then(() => resolve(0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
