// Administration pages: staff accounts and roles, the suppression list, the audit log.
import type { Suppression } from '../../notify/suppressions.ts';
import { html, type Html } from '../html.ts';
import type { AuditEntry } from '../queries/audit.ts';
import type { StaffListEntry } from '../queries/users.ts';
import { csrfField, layout, when, type PageContext } from './layout.ts';

const ROLES = [
  { value: 'agent', label: 'agent (works requests)' },
  { value: 'read_only', label: 'read-only (looks only)' },
  { value: 'admin', label: 'admin (everything, and this page)' },
] as const;

export interface Flash {
  notice: string | null;
  error: string | null;
  /** A one-time password to hand over, shown once. */
  password?: { email: string; value: string } | null;
}

function flash(f: Flash): Html {
  return html`${f.error ? html`<p class="error" role="alert">${f.error}</p>` : ''}${f.notice ? html`<p class="notice" role="status">${f.notice}</p>` : ''}${f.password
    ? html`<p class="read-out">One-time password for ${f.password.email} <strong class="big-number" id="one-time-password">${f.password.value}</strong><span class="muted">Shown once. It must be changed at the first sign-in.</span></p>`
    : ''}`;
}

const tabs = html`<nav class="views"><a href="/admin/users">Staff accounts</a> · <a href="/admin/suppressions">Suppressed addresses</a> · <a href="/admin/audit">Audit log</a></nav>`;

export function usersPage(ctx: PageContext, users: StaffListEntry[], f: Flash): Html {
  return layout(ctx, 'Staff accounts', html`<h1>Staff accounts</h1>${tabs}${flash(f)}
<form method="post" action="/admin/users" class="admin-add">
  ${csrfField(ctx)}
  <div class="row">
    <label>Email <input type="email" name="email" required maxlength="254" id="new-email"></label>
    <label>Role <select name="role" id="new-role">${ROLES.map((r) => html`<option value="${r.value}">${r.label}</option>`)}</select></label>
  </div>
  <button type="submit" class="primary">Add account</button> <span class="muted">A one-time password is shown once, to hand over.</span>
</form>
<div class="scroll"><table class="list staff"><thead><tr><th>Account</th><th>Role</th><th>State</th><th>Last sign-in</th><th>Actions</th></tr></thead><tbody>
${users.map((u) => html`<tr data-email="${u.email}">
  <td>${u.email}</td>
  <td><form method="post" action="/admin/users/${String(u.id)}/role" class="inline">${csrfField(ctx)}<select name="role" aria-label="role of ${u.email}">${ROLES.map((r) => html`<option value="${r.value}" ${r.value === u.role ? html`selected` : ''}>${r.value.replace('_', '-')}</option>`)}</select> <button type="submit">Set</button></form></td>
  <td>${u.disabled ? html`<span class="status status-closed">disabled</span>` : u.mustChangePassword ? html`<span class="muted">must choose a password</span>` : 'active'}</td>
  <td>${when(u.lastSignIn)}</td>
  <td class="actions">
    <form method="post" action="/admin/users/${String(u.id)}/${u.disabled ? 'enable' : 'disable'}" class="inline">${csrfField(ctx)}<button type="submit" class="${u.disabled ? '' : 'danger'}">${u.disabled ? 'Enable' : 'Disable'}</button></form>
    <form method="post" action="/admin/users/${String(u.id)}/reset" class="inline">${csrfField(ctx)}<button type="submit">Reset password</button></form>
  </td>
</tr>`)}
</tbody></table></div>`);
}

export function suppressionsPage(ctx: PageContext, rows: Suppression[], q: string | null, f: Flash): Html {
  return layout(ctx, 'Suppressed addresses', html`<h1>Suppressed addresses</h1>${tabs}${flash(f)}
<p class="muted">We send nothing to these addresses: their mail server said they do not exist (a hard bounce). Lift one when the resident says the mailbox works again.</p>
<form method="get" action="/admin/suppressions" class="search-line"><label>Address contains <input type="search" name="q" value="${q ?? ''}"></label> <button type="submit">Search</button></form>
${rows.length
  ? html`<div class="scroll"><table class="list"><thead><tr><th>Address</th><th>Why</th><th>Since</th><th></th></tr></thead><tbody>
${rows.map((s) => html`<tr><td>${s.address}</td><td class="reason-text">${s.reason}</td><td>${when(s.createdAt)}</td>
  <td><form method="post" action="/admin/suppressions/lift" class="inline">${csrfField(ctx)}<input type="hidden" name="address" value="${s.address}"><button type="submit">Lift</button></form></td></tr>`)}
</tbody></table></div>`
  : html`<p class="empty">No suppressed address${q ? ' matches' : ''}.</p>`}`);
}

export function auditPage(ctx: PageContext, rows: AuditEntry[], q: string | null): Html {
  return layout(ctx, 'Audit log', html`<h1>Audit log</h1>${tabs}
<form method="get" action="/admin/audit" class="search-line"><label>Who, what or which request <input type="search" name="q" value="${q ?? ''}" id="audit-q"></label> <button type="submit">Search</button></form>
${rows.length
  ? html`<div class="scroll"><table class="list audit"><thead><tr><th>When</th><th>Who</th><th>Did</th><th>To</th><th>Details</th></tr></thead><tbody>
${rows.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.actor}</td><td>${e.action.replace(/_/g, ' ')}</td><td>${e.target ?? ''}</td><td class="reason-text">${Object.entries(e.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}</td></tr>`)}
</tbody></table></div>`
  : html`<p class="empty">Nothing${q ? ' matches' : ' yet'}.</p>`}`);
}
