// The staff web app: sign-in, review queue, requests, status changes, dashboard. Server-rendered HTML.
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RouteContext, WebDeps } from './context.ts';
import { field } from './forms.ts';
import { html } from './html.ts';
import { touchSession } from './queries/sessions.ts';
import { accountRoutes } from './routes/account.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { inboundRoutes } from './routes/inbound.ts';
import { OPEN311_PREFIX, open311Routes } from './routes/open311.ts';
import { logCallRoutes } from './routes/log-call.ts';
import { questionRoutes } from './routes/questions.ts';
import { statusPageRoutes } from './routes/status-page.ts';
import { requestRoutes } from './routes/requests.ts';
import { reportRoutes, scheduleRoutes } from './routes/reports.ts';
import { reviewRoutes } from './routes/review.ts';
import { staticRoutes } from './routes/static.ts';
import { streetRoutes } from './routes/streets.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { addSecurityHeaders } from './security.ts';
import { SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, SESSION_TTL_SECONDS, deriveKeys, hashToken, readCookie, sameToken } from './session.ts';
import { layout } from './views/layout.ts';

export type { WebDeps } from './context.ts';

function refuseWithoutSession(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
  if (wantsPage) return reply.code(303).header('Location', `/signin?next=${encodeURIComponent(request.url)}`).send();
  return reply.code(401).send({ error: 'sign in first' });
}

// A hop count trusts that many proxies nearest the app, as fastify does for a number (its typings only take the function).
function trustProxyOption(setting: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

export async function createWebApp(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log.child({ part: 'web' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 256 * 1024,
    // Behind a reverse proxy, the client's address (lockout) and protocol (Secure cookies) come from
    // X-Forwarded-For/-Proto, but only from the proxy named here.
    trustProxy: trustProxyOption(deps.config.trustProxy),
  });
  const ctx: RouteContext = { ...deps, keys: deriveKeys(deps.config.replySecret) };

  await app.register(cookie);
  await app.register(formbody);
  addSecurityHeaders(app);
  app.decorateRequest('staff', null);
  app.decorateRequest('csrf', '');

  app.addHook('preHandler', async (request, reply) => {
    // Open311 is public as a whole: an unknown path there answers 404 in the spec's format, not "sign in".
    if (request.routeOptions.config.public || request.url.startsWith(`${OPEN311_PREFIX}/`)) return;
    const token = readCookie(request, SESSION_COOKIE);
    const tokenHash = token ? hashToken(token) : null;
    const user = tokenHash ? await touchSession(deps.pool, tokenHash, SESSION_TTL_SECONDS, SESSION_MAX_AGE_SECONDS) : null;
    if (!user || !tokenHash) return refuseWithoutSession(request, reply);
    request.staff = user;
    request.csrf = ctx.keys.csrf(`session:${tokenHash}`);
    if (user.mustChangePassword && !request.routeOptions.config.allowWithOneTimePassword) {
      return request.method === 'GET' ? reply.redirect('/account/password', 303) : reply.code(403).send({ error: 'choose a new password first' });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // A read-only account looks; the only changes it makes are to its own session and password.
      if (user.role === 'read_only' && !request.routeOptions.config.allowReadOnly) {
        return reply.code(403).type('text/html').send(
          layout({ user, csrf: request.csrf }, 'Read-only account', html`<h1>Your account is read-only</h1><p>Ask an admin if you need to change requests.</p>`).value,
        );
      }
      const header = request.headers['x-csrf-token'];
      const sent = field(request.body, '_csrf') ?? (typeof header === 'string' ? header : null);
      if (!sent || !sameToken(sent, request.csrf)) {
        return reply.code(403).type('text/html').send(
          layout({ user, csrf: request.csrf }, 'Form expired', html`<h1>This form has expired</h1><p>Go back, reload the page and try again.</p>`).value,
        );
      }
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err, url: request.url }, 'web request failed');
    const message = status === 500 ? 'Something went wrong on our side; it has been logged.' : err.message;
    return reply
      .code(status)
      .type('text/html')
      .send(layout({ user: request.staff, csrf: request.csrf }, 'Error', html`<h1>Error ${status}</h1><p>${message}</p>`).value);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('text/html').send(layout({ user: request.staff, csrf: request.csrf }, 'Not found', html`<h1>Not found</h1>`).value),
  );

  healthRoutes(app, ctx);
  inboundRoutes(app, ctx);
  await open311Routes(app, ctx);
  statusPageRoutes(app, ctx);
  staticRoutes(app);
  authRoutes(app, ctx);
  accountRoutes(app, ctx);
  reviewRoutes(app, ctx);
  logCallRoutes(app, ctx);
  requestRoutes(app, ctx);
  questionRoutes(app, ctx);
  attachmentRoutes(app, ctx);
  streetRoutes(app, ctx);
  dashboardRoutes(app, ctx);
  reportRoutes(app, ctx);
  scheduleRoutes(app, ctx);
  adminRoutes(app, ctx);
  apiKeyRoutes(app, ctx);
  app.get('/', async (_request, reply) => reply.redirect('/review', 303));
  return app;
}
