// Changing one's own password; the only page open to a session signed in with a one-time password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, staffOf, type RouteContext } from '../context.ts';
import { field } from '../forms.ts';
import { html } from '../html.ts';
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from '../passwords.ts';
import { deleteOtherSessions } from '../queries/sessions.ts';
import { getUser, setPassword } from '../queries/users.ts';
import { SESSION_COOKIE, hashToken, readCookie } from '../session.ts';
import { csrfField, layout } from '../views/layout.ts';

function passwordPage(request: FastifyRequest, error: string | null) {
  const ctx = pageContext(request);
  const oneTime = staffOf(request).mustChangePassword;
  return layout(
    ctx,
    'Change password',
    html`<section class="signin">
  <h1>${oneTime ? 'Choose your password' : 'Change password'}</h1>
  ${oneTime ? html`<p>You signed in with a one-time password. Choose your own to continue.</p>` : ''}
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <form method="post" action="/account/password">
    ${csrfField(ctx)}
    <label>Current password <input type="password" name="current" autocomplete="current-password" required autofocus></label>
    <label>New password (at least ${String(MIN_PASSWORD_LENGTH)} characters) <input type="password" name="password" autocomplete="new-password" minlength="${String(MIN_PASSWORD_LENGTH)}" required></label>
    <label>New password again <input type="password" name="confirm" autocomplete="new-password" required></label>
    <button type="submit" class="primary">Save password</button>
  </form>
</section>`,
  );
}

export function accountRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const config = { allowWithOneTimePassword: true, allowReadOnly: true };
  const again = (request: FastifyRequest, reply: FastifyReply, code: number, error: string) =>
    reply.code(code).type('text/html').send(passwordPage(request, error).value);

  app.get('/account/password', { config }, async (request, reply) => reply.type('text/html').send(passwordPage(request, null).value));

  app.post('/account/password', { config }, async (request, reply) => {
    const staff = staffOf(request);
    const user = await getUser(ctx.pool, staff.userId);
    if (!user) return reply.callNotFound();
    const current = field(request.body, 'current', 1000) ?? '';
    const password = field(request.body, 'password', 1000) ?? '';
    if (!(await verifyPassword(user.passwordHash, current))) return again(request, reply, 400, 'The current password is not right.');
    if (password.length < MIN_PASSWORD_LENGTH) return again(request, reply, 400, `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    if (password !== field(request.body, 'confirm', 1000)) return again(request, reply, 400, 'The two new passwords differ.');
    if (password === current) return again(request, reply, 400, 'Choose a password different from the current one.');
    await setPassword(ctx.pool, user.id, await hashPassword(password));
    await deleteOtherSessions(ctx.pool, user.id, hashToken(readCookie(request, SESSION_COOKIE) as string));
    request.log.info({ user: staff.email }, 'staff password changed');
    return reply.redirect('/review', 303);
  });
}
