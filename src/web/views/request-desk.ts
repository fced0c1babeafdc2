// The working part of a request's page: who else is on it, who has it, its status, its category, place and
// department (re-routing), and the internal notes. Kept apart from the page's thread and history.
import { CATEGORIES } from '../../classify/types.ts';
import { allowedMoves, NOTIFY_RESIDENT, type Status } from '../../requests/status.ts';
import type { RequestRecord } from '../../requests/store.ts';
import type { Department, Routing } from '../../routing/rules.ts';
import { html, type Html } from '../html.ts';
import type { EventView } from '../queries/events.ts';
import type { SessionUser } from '../queries/sessions.ts';
import type { Viewer } from '../queries/viewers.ts';
import { age, categoryLabel, csrfField, when, type PageContext } from './layout.ts';

// 'saved' is a correction that kept the department; 'rerouted' moved the request to another.
const DESK_ACTIONS = ['status', 'saved', 'rerouted', 'note', 'assign', 'unlink', 'logged'] as const;
type DeskAction = (typeof DESK_ACTIONS)[number];

export function isDeskAction(value: string): value is DeskAction {
  return (DESK_ACTIONS as readonly string[]).includes(value);
}

const statusName = (s: string | null): string => (s ?? '').replace(/_/g, ' ');

/** What the change just made did, said once after the redirect, from the request's own history. */
export function deskNotice(action: DeskAction, r: RequestRecord, events: EventView[], routing: Routing): string | null {
  const last = (kind: string) => events.filter((e) => e.kind === kind).at(-1);
  const deptName = (code: unknown) => (typeof code === 'string' ? (routing.departments.get(code)?.name ?? code) : null);
  switch (action) {
    case 'status': {
      const e = last('status');
      if (!e) return null;
      const told = NOTIFY_RESIDENT.includes(e.toStatus as Status) && r.residentEmail ? ' The resident is being emailed.' : '';
      const dept = e.toStatus === 'routed' && r.departmentCode ? ` ${deptName(r.departmentCode)} is being sent the ticket.` : '';
      return `Status changed from ${statusName(e.fromStatus)} to ${statusName(e.toStatus)}.${dept}${told}`;
    }
    case 'rerouted': {
      const e = last('rerouted');
      if (!e) return null;
      const from = deptName(e.details.from);
      const to = deptName(e.details.to);
      return `Re-routed from ${from ?? 'no department'} to ${to}: ${to} is being sent the ticket${from ? `, ${from} a short withdrawal` : ''}.`;
    }
    case 'saved':
      return r.departmentCode && (r.status === 'routed' || r.status === 'in_progress')
        ? `Saved. The request is with ${deptName(r.departmentCode)}.`
        : 'Saved.';
    case 'note':
      return 'Internal note added. Only staff see it; it is never sent to the resident or a department.';
    case 'assign': {
      const assignee = last('assigned')?.details.assignee;
      return typeof assignee === 'string' ? `Assigned to ${assignee}.` : 'Unassigned: it is back in the unassigned list.';
    }
    case 'unlink':
      return 'Duplicate link undone: the request is back in the review queue.';
    case 'logged':
      return r.status === 'routed'
        ? `Logged and routed to ${deptName(r.departmentCode)}.${r.residentEmail ? ' The resident is being emailed the confirmation.' : ''}`
        : `Logged: it is ${statusName(r.status)}.`;
  }
}

export interface DeskData {
  request: RequestRecord;
  events: EventView[];
  staff: { id: number; email: string }[];
  viewers: Viewer[];
  departments: Department[];
  me: SessionUser;
  routing: Routing;
  /** Just logged at the desk: the tracking number is shown large, to read out to the resident. */
  justLogged: boolean;
}

/** "DB-0101W" as it is read over the phone: one character at a time. */
function spelled(trackingNumber: string): string {
  return [...trackingNumber].map((c) => (c === '-' ? 'dash' : c)).join(' ');
}

function onIt(viewers: Viewer[]): Html {
  if (viewers.length === 0) return html``;
  return html`<p class="on-it" role="status" id="on-it"><strong>Someone else is on it:</strong> ${viewers.map(
    (v, i) => html`${i ? ', ' : ''}${v.email} <span class="muted">(opened ${Date.now() - v.seenAt.getTime() < 60_000 ? 'just now' : `${age(v.seenAt)} ago`})</span>`,
  )}. Check with them before you change it.</p>`;
}

function assignment(ctx: PageContext, d: DeskData, canChange: boolean): Html {
  const r = d.request;
  const current = d.staff.find((s) => s.id === r.assignedTo);
  const who = r.assignedTo === null ? html`<span class="muted">unassigned</span>` : r.assignedTo === d.me.userId ? html`<strong>you</strong>` : (current?.email ?? 'an account that can no longer work it');
  if (!canChange) return html`<p class="assigned">Assigned to: <span id="assignee">${who}</span></p>`;
  return html`<form method="post" action="/requests/${r.id}/assign" class="assign-form">
  ${csrfField(ctx)}
  <p class="assigned">Assigned to: <span id="assignee">${who}</span></p>
  <div class="row">
    <label>Give to <select name="assignee">
      <option value="">nobody (unassigned)</option>
      ${d.staff.map((s) => html`<option value="${String(s.id)}" ${s.id === r.assignedTo ? html`selected` : ''}>${s.id === d.me.userId ? `me (${s.email})` : s.email}</option>`)}
    </select></label>
    <button type="submit">Assign</button>
  </div>
</form>
${r.assignedTo !== d.me.userId
  ? html`<form method="post" action="/requests/${r.id}/assign" class="take-form">${csrfField(ctx)}<input type="hidden" name="assignee" value="me"><button type="submit" class="take">Take it</button></form>`
  : ''}`;
}

function statusForm(ctx: PageContext, r: RequestRecord): Html {
  const moves = allowedMoves(r.status);
  if (!moves.length) return html``;
  // The form starts on no move: a click on the button alone must never change anything.
  return html`<form method="post" action="/requests/${r.id}/status" class="status-form">
  ${csrfField(ctx)}
  <label>New status <select name="to" required id="status-to">
    <option value="" selected>choose a new status…</option>
    ${moves.map((s) => html`<option value="${s}">${statusName(s)}</option>`)}
  </select></label>
  <label>Note for the resident (optional; emailed with the change) <textarea name="note" rows="3" maxlength="2000"></textarea></label>
  <label>Public note (optional; published on Open311 for anyone to read) <textarea name="public_note" rows="2" maxlength="2000"></textarea></label>
  <button type="submit" class="primary">Change status</button>
</form>`;
}

function rerouteForm(ctx: PageContext, d: DeskData): Html {
  const r = d.request;
  const byRules = d.routing.departmentFor(r.category);
  return html`<details class="reroute" ${r.status === 'routed' || r.status === 'in_progress' ? '' : html`open`}>
  <summary>Change category, place or department (re-route)</summary>
  <form method="post" action="/requests/${r.id}/reroute" class="reroute-form">
    ${csrfField(ctx)}
    <label>Category <select name="category" id="reroute-category">${CATEGORIES.map((c) => html`<option value="${c}" ${c === r.category ? html`selected` : ''}>${categoryLabel(c)}</option>`)}</select></label>
    <div class="row">
      <label class="narrow">No. <input type="text" name="house_number" value="${r.houseNumber ?? ''}" inputmode="numeric" maxlength="20"></label>
      <label>Street <input type="text" name="street" value="${r.street ?? ''}" list="street-options" data-suggest="/api/streets" maxlength="200"></label>
    </div>
    <label>Cross street <input type="text" name="cross_street" value="${r.crossStreet ?? ''}" list="street-options" data-suggest="/api/streets" maxlength="200"></label>
    <datalist id="street-options"></datalist>
    <label>Department <select name="department" id="reroute-department">
      <option value="">as the category says (now ${byRules.name})</option>
      ${d.departments.map((dep) => html`<option value="${dep.code}" ${dep.code === r.departmentCode && dep.code !== byRules.code ? html`selected` : ''}>${dep.name}</option>`)}
    </select></label>
    <label>Why (optional; the department losing it reads this) <input type="text" name="reason" maxlength="500"></label>
    <button type="submit" class="primary">Save and re-route</button>
  </form>
</details>`;
}

function notes(ctx: PageContext, d: DeskData, canChange: boolean): Html {
  const list = d.events.filter((e) => e.kind === 'note');
  return html`<section class="notes" aria-labelledby="notes-h">
  <h2 id="notes-h">Internal notes <span class="muted">(staff only)</span></h2>
  ${list.length
    ? html`<ol class="note-list">${list.map((e) => html`<li><div class="note-text">${e.note ?? ''}</div><span class="muted">${e.actor} · ${when(e.createdAt)}</span></li>`)}</ol>`
    : html`<p class="empty">No notes yet.</p>`}
  ${canChange
    ? html`<form method="post" action="/requests/${d.request.id}/note" class="note-form">
    ${csrfField(ctx)}
    <label>Add a note <span class="muted">(never sent to the resident or a department)</span><textarea name="text" rows="3" maxlength="4000" required id="note-text"></textarea></label>
    <button type="submit">Add note</button>
  </form>`
    : ''}
</section>`;
}

export function deskPanel(ctx: PageContext, d: DeskData): Html {
  const canChange = d.me.role !== 'read_only';
  return html`${d.justLogged ? html`<p class="read-out">Tracking number <strong class="big-number" id="read-out">${d.request.trackingNumber}</strong><span class="muted">${spelled(d.request.trackingNumber)}</span></p>` : ''}${onIt(d.viewers)}
<div class="desk">
  ${assignment(ctx, d, canChange)}
  ${canChange ? html`${statusForm(ctx, d.request)}${rerouteForm(ctx, d)}` : html`<p class="muted read-only">Your account is read-only: you can look, not change.</p>`}
  ${notes(ctx, d, canChange)}
</div>`;
}
