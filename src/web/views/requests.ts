// The request search and the request page: its thread, status history, classification and routing.
import { CATEGORIES } from '../../classify/types.ts';
import { STATUSES } from '../../requests/status.ts';
import type { HeldMail } from '../../notify/outbox.ts';
import type { PendingProposal } from '../../requests/proposals.ts';
import type { RequestRecord } from '../../requests/store.ts';
import { html, type Html } from '../html.ts';
import type { EventView } from '../queries/events.ts';
import type { AttachmentMeta, ThreadEntry } from '../queries/messages.ts';
import { PAGE_SIZE, type SearchFilters } from '../queries/search.ts';
import { age, categoryLabel, csrfField, dangerBadge, layout, percent, reasonLabel, statusBadge, when, type PageContext } from './layout.ts';
import { heldMailTable } from './dashboard.ts';
import { inboundMessage } from './message.ts';

type Department = { code: string; name: string };

const CHANNEL_NAMES: Record<string, string> = { email: 'email', web: 'web form', chat: 'chat', phone: 'phone', walk_in: 'walk-in', letter: 'letter', open311: 'Open311 app' };
export const channelLabel = (channel: string): string => CHANNEL_NAMES[channel] ?? channel;

/** When a request is due, and whether it is late: only open requests can be late. */
export function dueCell(r: Pick<RequestRecord, 'dueAt' | 'closedAt'>, now: Date = new Date()): Html {
  if (!r.dueAt) return html`<span class="muted">no target</span>`;
  if (r.closedAt) return html`${when(r.dueAt)}${r.closedAt > r.dueAt ? html` <span class="muted">(finished late)</span>` : ''}`;
  return r.dueAt < now ? html`<span class="late">${when(r.dueAt)} · late</span>` : when(r.dueAt);
}

function options(values: readonly { value: string; label: string }[], selected: string | null, blank: string): Html {
  return html`<option value="">${blank}</option>${values.map((v) => html`<option value="${v.value}" ${v.value === selected ? html`selected` : ''}>${v.label}</option>`)}`;
}

function searchQuery(f: SearchFilters, page: number | null, path = '/requests'): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) params.set(k, v);
  if (page !== null) params.set('page', String(page));
  return `${path}?${params.toString()}`;
}

/** A column heading that sorts by it; a second click reverses the order. */
function sortable(f: SearchFilters, key: string, label: string): Html {
  const current = (f.sort ?? 'received') === key;
  const dir = f.sort === null && key === 'received' ? 'desc' : f.dir === 'asc' ? 'asc' : 'desc';
  const next = current && dir === 'desc' ? 'asc' : 'desc';
  return html`<th ${current ? html`aria-sort="${dir === 'asc' ? 'ascending' : 'descending'}"` : ''}><a href="${searchQuery({ ...f, sort: key, dir: next }, null)}">${label}${current ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
}

export function searchPage(
  ctx: PageContext,
  f: SearchFilters,
  departments: Department[],
  result: { rows: RequestRecord[]; total: number },
  page: number,
  hint: string | null = null,
): Html {
  const deptName = new Map(departments.map((d) => [d.code, d.name]));
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  return layout(
    ctx,
    'Requests',
    html`<h1>Requests</h1>
<form method="get" action="/requests" class="search">
  <label>Tracking number, resident or their words <input type="search" name="q" value="${f.q ?? ''}" placeholder="DB-0101W, resident@example.com, fallen tree" id="search-q"></label>
  <input type="hidden" name="sort" value="${f.sort ?? ''}"><input type="hidden" name="dir" value="${f.dir ?? ''}">
  <label>Street <input type="text" name="street" value="${f.street ?? ''}"></label>
  <label>Category <select name="category">${options(CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) })), f.category, 'any')}</select></label>
  <label>Status <select name="status">${options(STATUSES.map((s) => ({ value: s, label: s.replace(/_/g, ' ') })), f.status, 'any')}</select></label>
  <label>Department <select name="department">${options(departments.map((d) => ({ value: d.code, label: d.name })), f.department, 'any')}</select></label>
  <label>From <input type="date" name="from" value="${f.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${f.to ?? ''}"></label>
  <label>Assigned <select name="assigned">${options([{ value: 'me', label: 'to me' }, { value: 'none', label: 'unassigned (open)' }], f.assigned, 'anyone')}</select></label>
  <button type="submit" class="primary">Search</button>
</form>
<p class="views"><a href="/requests?assigned=me">My requests</a> · <a href="/requests?assigned=none">Unassigned</a> · <a href="/requests/new">Log a call, walk-in or letter</a></p>
${hint ? html`<p class="error" role="alert" id="search-hint">${hint}</p>` : ''}
<p class="muted">${result.total} request${result.total === 1 ? '' : 's'} · <a href="${searchQuery(f, null, '/requests.csv')}" download>Download as CSV</a></p>
${result.rows.length
  ? html`<div class="scroll"><table class="list"><thead><tr>${sortable(f, 'tracking', 'Tracking')}${sortable(f, 'received', 'Received')}<th>Age</th>${sortable(f, 'due', 'Due')}${sortable(f, 'status', 'Status')}${sortable(f, 'category', 'Category')}${sortable(f, 'street', 'Street')}${sortable(f, 'department', 'Department')}${sortable(f, 'resident', 'Resident')}<th>Subject</th>${sortable(f, 'channel', 'By')}</tr></thead><tbody>
${result.rows.map(
  (r) => html`<tr class="flag-${r.urgency}">
  <td class="tracking"><a href="/requests/${r.id}">${r.trackingNumber}</a></td><td>${when(r.createdAt)}</td><td>${age(r.createdAt)}</td><td>${dueCell(r)}</td><td>${statusBadge(r.status)} ${dangerBadge(r)}</td>
  <td>${categoryLabel(r.category)}</td><td>${[r.houseNumber, r.street].filter(Boolean).join(' ')}</td>
  <td>${r.departmentCode ? (deptName.get(r.departmentCode) ?? r.departmentCode) : ''}</td><td>${r.residentEmail ?? ''}</td><td>${r.subject ?? ''}</td><td>${channelLabel(r.channel)}</td>
</tr>`,
)}</tbody></table></div>`
  : html`<p class="empty">No request matches.</p>`}
${pages > 1
  ? html`<nav class="pager">${page > 1 ? html`<a href="${searchQuery(f, page - 1)}">← newer</a>` : ''} page ${page} of ${pages} ${page < pages ? html`<a href="${searchQuery(f, page + 1)}">older →</a>` : ''}</nav>`
  : ''}`,
  );
}

export interface RequestPage {
  request: RequestRecord;
  /** Assignment, status, re-routing and notes (views/request-desk.ts). */
  desk: Html;
  /** Taken down by the agent who logged the call. */
  residentPhone: string | null;
  /** The box for writing to the resident; null when there is no address to write to. */
  reply: Html | null;
  /** What became of the department's replies without a status line, by inbound message id. */
  departmentReplies: Map<number, string>;
  department: { name: string; emails: string[] } | null;
  duplicateOf: { id: number; trackingNumber: string } | null;
  thread: ThreadEntry[];
  attachments: AttachmentMeta[];
  events: EventView[];
  error: string | null;
  notice: string | null;
  /** Mail to this request the automatic-mail cap is holding. */
  held: HeldMail[];
  /** Status changes asked for by unverified messages, waiting for staff. */
  proposals: PendingProposal[];
}

function plain(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${k}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
      .join(', ');
  }
  return String(v);
}

function details(d: Record<string, unknown>): Html {
  const entries = Object.entries(d);
  if (entries.length === 0) return html``;
  return html`<dl class="details">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${plain(v)}</dd>`)}</dl>`;
}

function departmentReplyControls(ctx: PageContext, inboundId: number, state: string | undefined): Html {
  if (state === 'forwarded') return html`<p class="muted">Forwarded to the resident.</p>`;
  if (state === 'dismissed') return html`<p class="muted">Not for the resident (set aside).</p>`;
  if (state !== 'needs_attention') return html``;
  return html`<form method="post" action="/department-replies/${inboundId}" class="attention">
  ${csrfField(ctx)}<span class="reason">needs attention: no status line</span>
  <button type="submit" name="decision" value="forward" class="primary">Forward to the resident</button>
  <button type="submit" name="decision" value="dismiss">Not for the resident</button>
</form>`;
}

function threadEntry(ctx: PageContext, e: ThreadEntry, attachments: AttachmentMeta[], i: number, departmentReplies: Map<number, string>): Html {
  if (e.direction === 'in') {
    return html`<li class="from-${e.author}"><span class="who">${e.author}</span>${inboundMessage(
      e.inbound,
      attachments.filter((a) => a.inboundMessageId === e.inbound.id),
      { originalId: `original-${i}` },
    )}${departmentReplyControls(ctx, e.inbound.id, departmentReplies.get(e.inbound.id))}</li>`;
  }
  const o = e.outbound;
  return html`<li class="out"><span class="who">sent · ${o.kind.replace(/_/g, ' ')}</span><article class="mail out">
  <header>To <span class="addr">${o.toAddress}</span> · ${o.sentAt ? html`sent ${when(o.sentAt)}` : html`<span class="state-${o.state}">${o.state}</span> since ${when(o.createdAt)}`}
    ${o.lastError ? html`<span class="error">${o.lastError}</span>` : ''}
    <div class="subject">${o.subject}</div></header>
  <details><summary>Message</summary><pre class="text-body">${o.textBody}</pre></details>
</article></li>`;
}

export function requestPage(ctx: PageContext, p: RequestPage): Html {
  const r = p.request;
  const statusEvents = p.events.filter((e) => e.kind === 'status');
  const decisions = p.events.filter((e) => e.kind !== 'status' && e.kind !== 'note');
  const reviewed = p.events.find((e) => e.kind === 'reclassified');
  // requests.confidence stays the classifier's figure for its own choice, so after a correction it must not read as ours.
  const classifierSaid = (p.events.find((e) => e.kind === 'reclassified')?.details.from as { category?: string } | undefined)?.category ?? r.category;
  const staffChanged = classifierSaid !== r.category;
  return layout(
    ctx,
    r.trackingNumber,
    html`${p.error ? html`<p class="error" role="alert">${p.error}</p>` : ''}${p.notice ? html`<p class="notice" role="status">${p.notice}</p>` : ''}
<div class="request-head">
  <h1>${r.trackingNumber} <span id="request-status">${statusBadge(r.status)}</span> ${dangerBadge(r)}</h1>
  <p>${r.subject ?? '(no subject)'}</p>
</div>
${p.held.length ? html`<section class="held-mail" aria-label="held mail"><h2>Held: automatic-mail limit</h2>${heldMailTable(ctx, p.held, r.id)}</section>` : ''}
${p.proposals.length ? html`<section class="proposals"><h2>Status changes to confirm</h2><ul>${p.proposals.map((x) => html`<li>${statusBadge(x.toStatus)} asked for by ${x.claimedActor}${x.note ? html`: “${x.note}”` : ''} <span class="muted">(${x.reason})</span>
  <form method="post" action="/review/proposals/${x.id}" class="inline">${csrfField(ctx)}<button type="submit" name="decision" value="accept">Accept</button> <button type="submit" name="decision" value="reject">Reject</button></form></li>`)}</ul></section>` : ''}
<div class="request">
<section class="facts">
  <dl>
    <dt>Resident</dt><dd>${r.residentName ? html`${r.residentName} ` : ''}${r.residentEmail ?? html`<span class="muted">no email</span>`}${p.residentPhone ? html` · <a href="tel:${p.residentPhone}">${p.residentPhone}</a>` : ''} <span class="muted">(${r.language})</span></dd>
    <dt>Category</dt><dd>${categoryLabel(r.category)} ${staffChanged
      ? html`<span class="muted">(set in review; the classifier said ${categoryLabel(String(classifierSaid))} ${percent(r.confidence)})</span>`
      : html`<span class="confidence">${percent(r.confidence)}</span>`}
      ${r.alternatives.length ? html`<div class="muted">also: ${r.alternatives.filter((a) => a.category !== r.category).slice(0, 3).map((a, i) => html`${i ? ', ' : ''}${categoryLabel(a.category)} ${percent(a.confidence)}`)}</div>` : ''}</dd>
    <dt>Location</dt><dd>${[r.houseNumber, r.street].filter(Boolean).join(' ') || html`<span class="muted">no street</span>`}${r.crossStreet ? html` at ${r.crossStreet}` : ''}${r.outsideTown ? html` <span class="warning">(${r.outsideTown})</span>` : ''}</dd>
    <dt>Department</dt><dd>${p.department ? html`${p.department.name} <span class="muted">${p.department.emails.join(', ')}</span>` : html`<span class="muted">not routed</span>`}</dd>
    ${r.reviewReasons.length ? html`<dt>Review</dt><dd>${r.reviewReasons.map((c) => html`<span class="reason">${reasonLabel(c)}</span> `)}</dd>` : ''}
    ${p.duplicateOf ? html`<dt>Duplicate of</dt><dd><a href="/requests/${p.duplicateOf.id}">${p.duplicateOf.trackingNumber}</a></dd>` : ''}
    <dt>Received</dt><dd>${when(r.createdAt)} <span class="muted">by ${channelLabel(r.channel)}</span></dd>
    <dt>Due</dt><dd>${dueCell(r)}</dd>
    <dt>Reviewed</dt><dd>${reviewed ? html`${when(reviewed.createdAt)} by ${reviewed.actor}` : html`<span class="muted">—</span>`}</dd>
    <dt>Routed</dt><dd>${when(r.routedAt)}</dd>
    <dt>Closed</dt><dd>${when(r.closedAt)}</dd>
  </dl>
  ${r.status === 'needs_review' ? html`<p><a class="button primary" href="/review/${r.id}">Review this request</a></p>` : ''}
  ${p.desk}
  ${r.urgency !== 'routine'
    ? html`<form method="post" action="/requests/${r.id}/not-danger" class="unlink-form">${csrfField(ctx)}<button type="submit">Not a danger: clear the ${r.urgency} flag</button></form>`
    : ''}
  ${r.duplicateOf !== null
    ? html`<form method="post" action="/requests/${r.id}/unlink" class="unlink-form">${csrfField(ctx)}<button type="submit">Not a duplicate: unlink and review</button></form>`
    : ''}
</section>
<section class="thread">
  <h2>Thread</h2>
  <ol class="thread-list">${p.thread.map((e, i) => threadEntry(ctx, e, p.attachments, i, p.departmentReplies))}</ol>
  ${p.reply ?? ''}
  <h2>Status history</h2>
  <table class="list history"><thead><tr><th>When</th><th>From</th><th>To</th><th>Who</th><th>Note</th></tr></thead><tbody>
  ${statusEvents.map((e) => html`<tr><td>${when(e.createdAt)}</td><td>${e.fromStatus ? statusBadge(e.fromStatus) : ''}</td><td>${e.toStatus ? statusBadge(e.toStatus) : ''}</td><td>${e.actor}</td><td>${e.note ?? ''}${e.publicNote ? html`<div class="muted">Public: ${e.publicNote}</div>` : ''}</td></tr>`)}
  </tbody></table>
  <h2>Classification and routing</h2>
  <ul class="events">${decisions.map((e) => html`<li><strong>${e.kind.replace(/_/g, ' ')}</strong> by ${e.actor} · ${when(e.createdAt)}${e.note ? html` — ${e.note}` : ''}${details(e.details)}</li>`)}</ul>
</section>
</div>`,
  );
}
