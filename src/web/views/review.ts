// The review queue and the review screen, built for the keyboard: Enter confirms, 1-3 pick an alternative.
import { CATEGORIES } from '../../classify/types.ts';
import type { PendingProposal } from '../../requests/proposals.ts';
import type { RequestRecord } from '../../requests/store.ts';
import type { Routing } from '../../routing/rules.ts';
import { html, type Html } from '../html.ts';
import type { AttachmentMeta, InboundView } from '../queries/messages.ts';
import { age, categoryLabel, csrfField, dangerBadge, layout, percent, reasonLabel, statusBadge, when, type PageContext } from './layout.ts';
import { inboundMessage } from './message.ts';

export interface DoneNotice {
  trackingNumber: string;
  id: number;
  status: string;
  departmentName: string | null;
  /** The street the decision gave, when the city's list lacks it: offered for adding. */
  unknownStreet: string | null;
}

function doneNotice(ctx: PageContext, done: DoneNotice | null, back: string): Html {
  if (!done) return html``;
  return html`<div class="notice" role="status"><a href="/requests/${done.id}">${done.trackingNumber}</a> is ${statusBadge(done.status)}${
    done.departmentName ? html` to ${done.departmentName}` : ''}.${done.unknownStreet
    ? html` “${done.unknownStreet}” is not in the city's list of streets.
  <form method="post" action="/review/${done.id}/add-street" class="inline">${csrfField(ctx)}<input type="hidden" name="street" value="${done.unknownStreet}"><input type="hidden" name="back" value="${back}"><button type="submit">Add “${done.unknownStreet}” to the list</button></form>`
    : ''}</div>`;
}

function addedNotice(added: string | null): Html {
  return added ? html`<p class="notice" role="status">“${added}” is now in the city's list of streets.</p>` : html``;
}

function reasons(codes: string[]): Html {
  return html`${codes.map((c) => html`<span class="reason reason-${c}">${reasonLabel(c)}</span> `)}`;
}

/**
 * Status changes a message asked for but could not be trusted to make. The first one answers to
 * a (accept) and x (reject); every one has its two buttons.
 */
function proposalsSection(ctx: PageContext, proposals: PendingProposal[], error: string | null): Html {
  if (proposals.length === 0 && !error) return html``;
  return html`<section class="proposals" aria-labelledby="proposals-h">
<h2 id="proposals-h">Status changes to confirm <span class="count">${proposals.length}</span></h2>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p class="hint">Each was asked for by a message whose sender could not be verified. Accept to make the change (the resident is emailed, with the note), reject to leave the request as it is. <kbd>a</kbd> accepts and <kbd>x</kbd> rejects the first.</p>
<table class="list">
<thead><tr><th>Tracking</th><th>Now</th><th>Asks for</th><th>Note (mailed to the resident if accepted)</th><th>From</th><th>Why it waits</th><th></th></tr></thead>
<tbody>
${proposals.map(
  (p, i) => html`<tr>
  <td><a href="/requests/${p.requestId}">${p.trackingNumber}</a></td>
  <td>${statusBadge(p.currentStatus)}</td>
  <td>${statusBadge(p.toStatus)}</td>
  <td class="note">${p.note ?? html`<span class="muted">none</span>`}</td>
  <td>${p.claimedActor}</td>
  <td class="muted">${p.reason}</td>
  <td><form method="post" action="/review/proposals/${p.id}" class="inline">${csrfField(ctx)}
    <button type="submit" name="decision" value="accept" ${i === 0 ? html`data-key="a"` : ''}>Accept${i === 0 ? html` <kbd>a</kbd>` : ''}</button>
    <button type="submit" name="decision" value="reject" ${i === 0 ? html`data-key="x"` : ''}>Reject${i === 0 ? html` <kbd>x</kbd>` : ''}</button>
  </form></td>
</tr>`,
)}
</tbody></table>
</section>`;
}

export function reviewQueuePage(
  ctx: PageContext,
  items: RequestRecord[],
  total: number,
  done: DoneNotice | null,
  added: string | null,
  proposals: { pending: PendingProposal[]; error: string | null } = { pending: [], error: null },
): Html {
  const now = new Date();
  return layout(
    ctx,
    'Review queue',
    html`${doneNotice(ctx, done, '/review')}${addedNotice(added)}
${proposalsSection(ctx, proposals.pending, proposals.error)}
<h1>Review queue <span class="count">${total}</span></h1>
${items.length === 0
    ? html`<p class="empty">Nothing to review. New unsure messages appear here as they arrive.</p>`
    : html`<p class="hint">Emergencies first, then urgent requests, then oldest first. Press <kbd>Enter</kbd> to start with the first, <kbd>?</kbd> for all shortcuts.</p>
<table class="list">
<thead><tr><th>Tracking</th><th>Waiting</th><th>Why</th><th>Subject</th><th>Suggested</th><th>Street</th></tr></thead>
<tbody>
${items.map(
  (r, i) => html`<tr class="flag-${r.urgency}">
  <td><a href="/review/${r.id}" ${i === 0 ? html`data-first` : ''}>${r.trackingNumber}</a></td>
  <td title="${r.createdAt.toISOString()}">${age(r.createdAt, now)}</td>
  <td>${dangerBadge(r)} ${reasons(r.reviewReasons)}</td>
  <td>${r.subject ?? ''}</td>
  <td>${categoryLabel(r.category)} <span class="muted">${percent(r.confidence)}</span></td>
  <td>${r.street ?? (r.outsideTown ? html`<span class="muted">in ${r.outsideTown}</span>` : html`<span class="muted">—</span>`)}</td>
</tr>`,
)}
</tbody></table>`}`,
  );
}

export interface ReviewScreen {
  request: RequestRecord;
  message: InboundView | null;
  attachments: AttachmentMeta[];
  routing: Routing;
  prev: number | null;
  next: number | null;
  backlog: number;
  done: DoneNotice | null;
  error: string | null;
  /** A street just added to the city's list from this screen. */
  added: string | null;
  /** The request's street is not in the city's list (reason street_unknown, and not added since). */
  streetUnknown: boolean;
  /** The known streets nearest to it. */
  streetSuggestions: string[];
}

export function reviewScreenPage(ctx: PageContext, s: ReviewScreen): Html {
  const r = s.request;
  const alternatives = r.alternatives.filter((a) => a.category !== r.category).slice(0, 3);
  const open = r.status === 'needs_review' || r.status === 'received';
  return layout(
    ctx,
    `Review ${r.trackingNumber}`,
    html`${doneNotice(ctx, s.done, `/review/${r.id}`)}${addedNotice(s.added)}
${s.error ? html`<p class="error" role="alert">${s.error}</p>` : ''}
<div class="review-head">
  <a href="${s.prev ? `/review/${s.prev}` : '/review'}" data-key="k" class="nav-prev">← previous <kbd>k</kbd></a>
  <h1><a href="/requests/${r.id}">${r.trackingNumber}</a> ${statusBadge(r.status)} ${dangerBadge(r)}</h1>
  <span class="muted">${s.backlog} waiting · arrived ${when(r.createdAt)}</span>
  ${reasons(r.reviewReasons)}
  <a href="${s.next ? `/review/${s.next}` : '/review'}" data-key="j" class="nav-next">next <kbd>j</kbd> →</a>
</div>
${open ? '' : html`<p class="notice">This request was already decided: it is ${statusBadge(r.status)}. See <a href="/requests/${r.id}">its page</a>.</p>`}
<div class="review">
  <section class="message-pane">
    ${s.message ? inboundMessage(s.message, s.attachments, { originalId: 'original' }) : html`<p class="muted">The original message is not available.</p>`}
  </section>
  <section class="decision-pane">
    <form method="post" action="/review/${r.id}" id="review-form">
      ${csrfField(ctx)}
      <button type="submit" class="primary confirm" data-key="Enter" ${open ? '' : html`disabled`}>Confirm and route <kbd>Enter</kbd></button>
      <p class="routes-to">Routes to <strong id="route-target">${s.routing.departmentFor(r.category).name}</strong></p>
      <fieldset>
        <legend>Category</legend>
        <p>Suggested: <strong>${categoryLabel(r.category)}</strong> <span class="confidence" title="classifier confidence">${percent(r.confidence)}</span>
          ${r.modelVersion ? html`<span class="muted">(${r.modelVersion})</span>` : ''}</p>
        ${alternatives.length
          ? html`<div class="alternatives">${alternatives.map(
              (a, i) => html`<button type="submit" name="choice" value="${a.category}" data-key="${String(i + 1)}" ${open ? '' : html`disabled`}><kbd>${String(i + 1)}</kbd> ${categoryLabel(a.category)} <span class="muted">${percent(a.confidence)} → ${s.routing.departmentFor(a.category).name}</span></button>`,
            )}</div>`
          : ''}
        <label>Category <kbd>c</kbd>
          <select name="category" id="category">
            ${CATEGORIES.map((c) => html`<option value="${c}" data-department="${s.routing.departmentFor(c).name}" ${c === r.category ? html`selected` : ''}>${categoryLabel(c)}</option>`)}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>Location</legend>
        ${r.outsideTown ? html`<p class="warning">The classifier placed this in ${r.outsideTown}, outside the city.</p>` : ''}
        ${s.streetUnknown
          ? html`<p class="warning street-unknown">“${r.street}” is not in the city's list of streets.${s.streetSuggestions.length
              ? html` Nearest known: ${s.streetSuggestions.map((n) => html`<button type="button" class="link" data-fill="street" value="${n}">${n}</button> `)}`
              : ' No known street is close to it.'}
</p>
            <button type="submit" formaction="/review/${r.id}/add-street">Add the street as written to the city's list</button>`
          : ''}
        <label>Street <kbd>s</kbd>
          <input type="text" name="street" id="street" value="${r.street ?? ''}" list="street-options" autocomplete="off" data-suggest="/api/streets">
        </label>
        <datalist id="street-options">${s.streetSuggestions.map((n) => html`<option value="${n}"></option>`)}</datalist>
        <div class="row">
          <label>Number <input type="text" name="houseNumber" value="${r.houseNumber ?? ''}" inputmode="numeric" size="6"></label>
          <label>Cross street <input type="text" name="crossStreet" value="${r.crossStreet ?? ''}" list="street-options" autocomplete="off" data-suggest="/api/streets"></label>
        </div>
      </fieldset>
    </form>
    <p class="shortcuts muted"><kbd>Enter</kbd> confirm · <kbd>1</kbd>–<kbd>3</kbd> choose an alternative · <kbd>c</kbd> category · <kbd>s</kbd> street · <kbd>o</kbd> original · <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>Esc</kbd> leave a field</p>
  </section>
</div>`,
  );
}
