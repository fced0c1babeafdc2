// What every route module receives.
import type pg from 'pg';
import type { Config } from '../config/index.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../log.ts';
import type { Routing } from '../routing/rules.ts';
import type { ServiceTargets } from '../targets/service-targets.ts';
import type { Keys } from './session.ts';
import type { PageContext } from './views/layout.ts';
import type { FastifyRequest } from 'fastify';
import type { SessionUser } from './queries/sessions.ts';

export interface WebDeps {
  pool: pg.Pool;
  config: Config;
  routing: Routing;
  targets: ServiceTargets;
  queues: Queues;
  log: Logger;
}

export interface RouteContext extends WebDeps {
  keys: Keys;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: SessionUser | null;
    csrf: string;
  }
  interface FastifyContextConfig {
    /** Answers without a session (sign-in page, health check, static assets). */
    public?: boolean;
    /** Open to a session signed in with a one-time password (which must be changed first). */
    allowWithOneTimePassword?: boolean;
    /** Open to a read-only account for POST too (its own sign-out and password). */
    allowReadOnly?: boolean;
  }
}

export function pageContext(request: FastifyRequest, section?: PageContext['section']): PageContext {
  return { user: request.staff, csrf: request.csrf, ...(section ? { section } : {}) };
}

/** The signed-in user; only called in routes behind the session check. */
export function staffOf(request: FastifyRequest): SessionUser {
  if (!request.staff) throw new Error('route reached without a session: the session check did not run');
  return request.staff;
}

/** The city's clock for "today" and "this week", and for the dates staff type into the search. */
export const CITY_TIME_ZONE = 'America/New_York';
