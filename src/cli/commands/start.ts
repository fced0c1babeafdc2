import { startSystem } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { waitForServices } from '../../health/wait-for-services.ts';
import { createLogger } from '../../log.ts';
import { runUntilSignal } from '../run-until-signal.ts';

export async function run(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  return runUntilSignal(log, async (signal) => {
    await waitForServices(config, log, { signal });
    const system = await startSystem(config, { log, signal });
    // What a newcomer needs to try it, in one line.
    log.info(
      `CityLine is running. Staff app: ${system.webUrl} (create an account with: bin/cityline user add you@example.org). ` +
        (config.imap ? `Watching ${config.imap.host}/${config.imap.mailbox}. ` : `Drop .eml files into ${config.dropDir}. `) +
        (config.mailTransport === 'graph' ? 'Sending through Microsoft Graph.' : config.smtpUrl ? 'Sending through SMTP.' : `Outgoing mail is written to ${config.outboxDir}.`),
    );
    return system;
  });
}
