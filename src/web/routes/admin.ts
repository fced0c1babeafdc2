// Administration, for admins only: staff accounts (add, role, disable, reset), suppressed addresses, the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { liftSuppression, listSuppressions } from '../../notify/suppressions.ts';
import { pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { html } from '../html.ts';
import { generatePassword, hashPassword } from '../passwords.ts';
import { recordAudit, searchAudit } from '../queries/audit.ts';
import { getUser, insertUser, listStaff, resetPassword, setDisabled, setRole } from '../queries/users.ts';
import { auditPage, suppressionsPage, usersPage, type Flash } from '../views/admin.ts';
import { layout } from '../views/layout.ts';

const ROLES = ['admin', 'agent', 'read_only'] as const;
type RoleName = (typeof ROLES)[number];
const isRole = (v: string | null): v is RoleName => (ROLES as readonly (string | null)[]).includes(v);

export function adminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.register(async (admin) => {
    admin.addHook('preHandler', async (request, reply) => {
      if (request.staff && !request.staff.isAdmin) {
        return reply.code(403).type('text/html').send(layout(pageContext(request), 'Admins only', html`<h1>Admins only</h1><p>Ask an admin for what you need.</p>`).value);
      }
    });

    const showUsers = async (request: FastifyRequest, reply: FastifyReply, f: Flash, code = 200) =>
      reply.code(code).type('text/html').send(usersPage(pageContext(request, 'admin'), await listStaff(ctx.pool), f).value);

    admin.get('/admin', async (_request, reply) => reply.redirect('/admin/users', 303));
    admin.get('/admin/users', async (request, reply) => showUsers(request, reply, { notice: field(request.query, 'notice', 200), error: null }));

    admin.post('/admin/users', async (request, reply) => {
      const email = field(request.body, 'email', 254)?.toLowerCase() ?? null;
      const role = field(request.body, 'role', 10);
      if (!email || !/^[^\s@<>]+@[^\s@<>]+$/.test(email)) return showUsers(request, reply, { notice: null, error: 'Type the new account\'s email address.' }, 400);
      if (!isRole(role)) return showUsers(request, reply, { notice: null, error: 'Choose a role.' }, 400);
      const password = generatePassword();
      const id = await insertUser(ctx.pool, { email, passwordHash: await hashPassword(password), role });
      if (id === null) return showUsers(request, reply, { notice: null, error: `${email} already has an account: change its role or reset its password below.` }, 409);
      await recordAudit(ctx.pool, { actor: staffOf(request).email, action: 'account_added', target: email, details: { role } });
      return showUsers(request, reply, { notice: `Added ${email} as ${role.replace('_', '-')}.`, error: null, password: { email, value: password } });
    });

    /** One change to an existing account, audited; an admin cannot lock themself out by it. */
    const change = (action: string, run: (id: number, request: FastifyRequest) => Promise<string | Flash>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const id = idParam(request.params);
        const user = id ? await getUser(ctx.pool, id) : null;
        if (!id || !user) return reply.callNotFound();
        const me = staffOf(request);
        if (id === me.userId && action !== 'password_reset') return showUsers(request, reply, { notice: null, error: 'You cannot change your own role or disable yourself: ask another admin.' }, 409);
        const outcome = await run(id, request);
        const f = typeof outcome === 'string' ? { notice: outcome, error: null } : outcome;
        if (f.error) return showUsers(request, reply, f, 400);
        await recordAudit(ctx.pool, { actor: me.email, action, target: user.email, details: action === 'role_changed' ? { role: field(request.body, 'role', 10) } : {} });
        return showUsers(request, reply, { ...f, notice: `${user.email}: ${f.notice ?? ''}` });
      };

    admin.post('/admin/users/:id/role', change('role_changed', async (id, request) => {
      const role = field(request.body, 'role', 10);
      if (!isRole(role)) return { notice: null, error: 'Choose a role.' };
      await setRole(ctx.pool, id, role);
      return `role is now ${role.replace('_', '-')}.`;
    }));
    admin.post('/admin/users/:id/disable', change('account_disabled', async (id) => {
      await setDisabled(ctx.pool, id, true);
      return 'disabled and signed out everywhere; it cannot sign in until enabled again.';
    }));
    admin.post('/admin/users/:id/enable', change('account_enabled', async (id) => {
      await setDisabled(ctx.pool, id, false);
      return 'enabled.';
    }));
    admin.post('/admin/users/:id/reset', change('password_reset', async (id) => {
      const password = generatePassword();
      await resetPassword(ctx.pool, id, await hashPassword(password));
      const user = await getUser(ctx.pool, id);
      return { notice: 'password reset and signed out everywhere; hand over the one-time password below.', error: null, password: { email: user?.email ?? '', value: password } };
    }));

    admin.get('/admin/suppressions', async (request, reply) => {
      const q = field(request.query, 'q', 254);
      return reply.type('text/html').send(suppressionsPage(pageContext(request, 'admin'), await listSuppressions(ctx.pool, q), q, { notice: field(request.query, 'notice', 300), error: null }).value);
    });
    admin.post('/admin/suppressions/lift', async (request, reply) => {
      const address = field(request.body, 'address', 254);
      let lifted = false;
      try {
        lifted = address ? await liftSuppression(ctx.pool, address) : false;
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
      if (lifted && address) await recordAudit(ctx.pool, { actor: staffOf(request).email, action: 'suppression_lifted', target: address });
      const notice = lifted ? `Mail to ${address ?? ''} may go again.` : `${address ?? 'That address'} was not suppressed.`;
      return reply.redirect(`/admin/suppressions?notice=${encodeURIComponent(notice)}`, 303);
    });

    admin.get('/admin/audit', async (request, reply) => {
      const q = field(request.query, 'q', 200);
      return reply.type('text/html').send(auditPage(pageContext(request, 'admin'), await searchAudit(ctx.pool, q), q).value);
    });
  });
}
