// Sign-in and sign-out. The sign-in form is protected by a double-submit token bound to a pre-session cookie.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../context.ts';
import { field } from '../forms.ts';
import { html } from '../html.ts';
import { CLIENT_WINDOW_SECONDS, lockedUntil, LOCKOUT_WINDOW_SECONDS } from '../lockout.ts';
import { burnVerifyTime, verifyPassword } from '../passwords.ts';
import { deleteSession, insertSession } from '../queries/sessions.ts';
import { recentFailures, recordAttempt } from '../queries/sign-in-attempts.ts';
import { findUserByEmail, noteSignIn } from '../queries/users.ts';
import {
  PRESESSION_COOKIE, SESSION_COOKIE, SESSION_TTL_SECONDS, clearCookie, hashToken, newToken, readCookie, sameToken, setCookie,
} from '../session.ts';
import { layout } from '../views/layout.ts';

/**
 * Only paths on this site: an open redirect after sign-in would make a convincing phishing link. Browsers
 * drop tabs and newlines from URLs ("/\t/evil.example" is "//evil.example") and read "\" as "/", so
 * anything but printable ASCII without spaces or backslashes is refused, as is a second leading slash.
 */
export function safeNext(next: string | null): string {
  if (!next || next.length > 500 || !/^\/[!-~]*$/.test(next) || next.includes('\\')) return '/review';
  if (next.startsWith('//') || next.startsWith('/signin')) return '/review';
  return next;
}

function signInPage(csrf: string, next: string, email: string, error: string | null) {
  return layout(
    { user: null, csrf },
    'Sign in',
    html`<section class="signin">
  <h1>Staff sign-in</h1>
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <form method="post" action="/signin">
    <input type="hidden" name="_csrf" value="${csrf}">
    <input type="hidden" name="next" value="${next}">
    <label>Email <input type="email" name="email" value="${email}" autocomplete="username" required autofocus></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>`,
  );
}

function presessionCsrf(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): string {
  let pre = readCookie(request, PRESESSION_COOKIE);
  if (!pre || !/^[\w-]{43}$/.test(pre)) {
    pre = newToken();
    setCookie(request, reply, PRESESSION_COOKIE, pre, 3600);
  }
  return ctx.keys.csrf(`signin:${pre}`);
}

export function authRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/signin', { config: { public: true } }, async (request, reply) => {
    const csrf = presessionCsrf(ctx, request, reply);
    return reply.type('text/html').send(signInPage(csrf, safeNext(field(request.query, 'next')), '', null).value);
  });

  app.post('/signin', { config: { public: true } }, async (request, reply) => {
    const pre = readCookie(request, PRESESSION_COOKIE);
    const sent = field(request.body, '_csrf');
    if (!pre || !sent || !sameToken(sent, ctx.keys.csrf(`signin:${pre}`))) {
      const csrf = presessionCsrf(ctx, request, reply);
      return reply.code(403).type('text/html').send(signInPage(csrf, '/review', '', 'The form expired. Please sign in again.').value);
    }
    const csrf = ctx.keys.csrf(`signin:${pre}`);
    const email = (field(request.body, 'email', 320) ?? '').toLowerCase();
    const password = field(request.body, 'password', 1000) ?? '';
    const next = safeNext(field(request.body, 'next'));
    const again = (code: number, message: string) => reply.code(code).type('text/html').send(signInPage(csrf, next, email, message).value);
    if (!email || !password) return again(400, 'Enter your email and password.');

    const locked = lockedUntil(await recentFailures(ctx.pool, email, request.ip, LOCKOUT_WINDOW_SECONDS, CLIENT_WINDOW_SECONDS), new Date());
    if (locked) {
      const seconds = Math.max(1, Math.ceil((locked.getTime() - Date.now()) / 1000));
      const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
      reply.header('Retry-After', String(seconds));
      return again(429, `Too many failed sign-ins. Try again in ${wait}.`);
    }
    const user = await findUserByEmail(ctx.pool, email);
    const ok = user && !user.disabled ? await verifyPassword(user.passwordHash, password) : (await burnVerifyTime(password), false);
    await recordAttempt(ctx.pool, { email, ip: request.ip, succeeded: Boolean(ok) });
    if (!ok || !user) {
      ctx.log.info({ ip: request.ip }, 'failed staff sign-in');
      return again(401, 'Wrong email or password.');
    }
    const token = newToken();
    await insertSession(ctx.pool, hashToken(token), user.id, SESSION_TTL_SECONDS);
    await noteSignIn(ctx.pool, user.id);
    clearCookie(request, reply, PRESESSION_COOKIE);
    setCookie(request, reply, SESSION_COOKIE, token, SESSION_TTL_SECONDS);
    return reply.redirect(user.mustChangePassword ? '/account/password' : next, 303);
  });

  app.post('/signout', { config: { allowWithOneTimePassword: true, allowReadOnly: true } }, async (request, reply) => {
    const token = readCookie(request, SESSION_COOKIE);
    if (token) await deleteSession(ctx.pool, hashToken(token));
    clearCookie(request, reply, SESSION_COOKIE);
    return reply.redirect('/signin', 303);
  });
}
