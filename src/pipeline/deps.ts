import type pg from 'pg';
import type { Classifier } from '../classify/index.ts';
import type { Config } from '../config/index.ts';
import type { Enqueue } from '../jobs/queues.ts';
import type { Logger } from '../log.ts';
import type { MailTransport } from '../notify/transport.ts';
import type { Routing } from '../routing/rules.ts';
import type { SignInReporter } from '../signin/reporter.ts';
import type { ServiceTargets } from '../targets/service-targets.ts';

/** What the stage handlers need; each handler takes only the part it uses. */
export interface PipelineDeps {
  pool: pg.Pool;
  config: Config;
  routing: Routing;
  enqueue: Enqueue;
  log: Logger;
  /** Told whether the outgoing transport can sign in (for /healthz, the dashboard, the admin alert). */
  signIn?: SignInReporter;
}

export interface ClassifyDeps extends PipelineDeps {
  classifier: Classifier;
  targets: ServiceTargets;
}

export interface NotifyDeps extends PipelineDeps {
  transport: MailTransport;
}
