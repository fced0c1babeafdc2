// The dashboard: volume, backlog, how much flows without staff, how fast, and what failed.
import type { HeldMail } from '../../notify/outbox.ts';
import { html, type Html } from '../html.ts';
import type { CategoryVolume, FailedInbound, FailedOutbox, FlowFigures } from '../queries/dashboard.ts';
import { channelName } from '../../signin/reporter.ts';
import type { SignInState } from '../../signin/status.ts';
import { columns, horizontalBars } from './charts.ts';
import type { RequestRecord } from '../../requests/store.ts';
import { age, categoryLabel, csrfField, dangerBadge, layout, percent, statusBadge, when, type PageContext } from './layout.ts';

export interface FailedJob {
  id: string;
  reason: string;
  attempts: number;
  finishedOn: Date | null;
}

export interface StageHealth {
  stage: string;
  counts: Record<string, number>;
  failed: FailedJob[];
}

export interface Dashboard {
  volume: CategoryVolume[];
  daily: { day: string; count: number }[];
  backlog: { count: number; oldest: Date | null; oldestId: number | null };
  flow: FlowFigures;
  flowDays: number;
  /** Null when the queue state could not be read. */
  stages: StageHealth[] | null;
  failedInbound: FailedInbound[];
  failedOutbox: FailedOutbox[];
  held: HeldMail[];
  /** Mailbox sign-ins failing right now (IMAP in, SMTP or Graph out). */
  signIn: SignInState[];
  /** Open requests flagged as a danger, emergencies first. */
  flagged: (RequestRecord & { raisedAt: Date })[];
  notice: string | null;
}

/** Mail the automatic-mail cap is holding, each with its one-click release (dashboard and request page). */
export function heldMailTable(ctx: PageContext, held: HeldMail[], backToRequest: number | null = null): Html {
  return html`<table class="list held"><thead><tr><th>Request</th><th>Queued</th><th>Kind</th><th>To</th><th>Why</th><th></th></tr></thead><tbody>
${held.map((o) => html`<tr><td>${o.requestId ? html`<a href="/requests/${o.requestId}">${o.trackingNumber ?? o.requestId}</a>` : '—'}</td><td>${when(o.createdAt)}</td><td>${o.kind.replace(/_/g, ' ')}</td><td>${o.toAddress}</td><td class="reason-text">${o.reason ?? 'held: automatic-mail limit'}</td>
<td><form method="post" action="/dashboard/outbox/${o.id}/release" class="inline">${csrfField(ctx)}${
  backToRequest ? html`<input type="hidden" name="requestId" value="${String(backToRequest)}">` : ''}<button type="submit">Release and send</button></form></td></tr>`)}
</tbody></table>`;
}

function signInAlert(failures: SignInState[]): Html | string {
  if (failures.length === 0) return '';
  return html`<section class="error sign-in-alert" role="alert"><h2>Mailbox sign-in failing</h2><ul>
${failures.map((f) => html`<li><strong>${channelName(f.channel)}</strong>: ${f.problem === 'sign-in' ? 'cannot sign in' : 'cannot connect'} since ${when(f.since)}: ${f.reason ?? ''}</li>`)}
</ul><p>Mail waits (nothing is lost) until this is fixed. <code>bin/cityline mailbox check</code> explains what is wrong.</p></section>`;
}

function flaggedPanel(d: Dashboard): Html {
  if (d.flagged.length === 0) return html``;
  return html`<section class="flagged" aria-labelledby="flagged-heading">
<h2 id="flagged-heading">Emergencies and urgent requests <span class="count">${d.flagged.length}</span></h2>
<table class="list"><thead><tr><th>Danger</th><th>Tracking</th><th>Raised</th><th>Status</th><th>Where</th><th>Subject</th></tr></thead><tbody>
${d.flagged.map((r) => html`<tr class="flag-${r.urgency}"><td>${dangerBadge(r)}</td><td><a href="${r.status === 'needs_review' ? `/review/${r.id}` : `/requests/${r.id}`}">${r.trackingNumber}</a></td>
<td title="${r.raisedAt.toISOString()}">${age(r.raisedAt)}</td><td>${statusBadge(r.status)}</td><td>${r.street ? [r.houseNumber, r.street].filter(Boolean).join(' ') : html`<span class="muted">no location</span>`}</td><td>${r.subject ?? ''}</td></tr>`)}
</tbody></table></section>`;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function retryButton(ctx: PageContext, action: string, label = 'Retry'): Html {
  return html`<form method="post" action="${action}" class="inline">${csrfField(ctx)}<button type="submit">${label}</button></form>`;
}

export function dashboardPage(ctx: PageContext, d: Dashboard): Html {
  const today = d.volume.reduce((s, v) => s + v.today, 0);
  const week = d.volume.reduce((s, v) => s + v.week, 0);
  const share = d.flow.routed ? d.flow.routedWithoutReview / d.flow.routed : null;
  return layout(
    ctx,
    'Dashboard',
    html`${d.notice ? html`<p class="notice" role="status">${d.notice}</p>` : ''}
${signInAlert(d.signIn)}
<h1>Dashboard</h1>
${flaggedPanel(d)}
<div class="tiles">
  <div class="tile"><span class="big">${today}</span> requests today</div>
  <div class="tile"><span class="big">${week}</span> this week</div>
  <div class="tile"><span class="big"><a href="/review">${d.backlog.count}</a></span> waiting for review${
    d.backlog.oldest && d.backlog.oldestId ? html`<br><span class="muted">oldest: <a href="/review/${d.backlog.oldestId}">${age(d.backlog.oldest)}</a></span>` : ''}</div>
  <div class="tile"><span class="big">${share === null ? '—' : percent(share)}</span> routed without review <span class="muted">(${d.flowDays} days, ${d.flow.routed} routed)</span></div>
  <div class="tile"><span class="big">${duration(d.flow.medianToConfirmSeconds)}</span> median arrival → confirmation sent</div>
  <div class="tile"><span class="big">${duration(d.flow.medianToReviewSeconds)}</span> median arrival → staff decision</div>
  <div class="tile"><span class="big">${duration(d.flow.medianToRouteSeconds)}</span> median arrival → routed</div>
</div>
<div class="charts">
  <figure><figcaption>This week by category (dark: today)</figcaption>
    ${d.volume.length ? horizontalBars(d.volume.map((v) => ({ label: categoryLabel(v.category), value: v.week, part: v.today })), { title: 'Requests this week by category; today in dark', partLabel: 'today', valueLabel: 'this week' }) : html`<p class="empty">No requests this week.</p>`}
  </figure>
  <figure><figcaption>Requests per day, last ${d.daily.length} days</figcaption>
    ${columns(d.daily.map((p) => ({ label: p.day, value: p.count })), { title: `Requests per day, last ${d.daily.length} days` })}
  </figure>
</div>
<h2>Pipeline</h2>
${d.stages === null ? html`<p class="error">The job queues (Redis) did not answer; their state is not shown.</p>` : html`<table class="list"><thead><tr><th>Stage</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Failed</th></tr></thead><tbody>
${d.stages.map((s) => html`<tr><td>${s.stage}</td><td>${s.counts.waiting ?? 0}</td><td>${s.counts.active ?? 0}</td><td>${s.counts.delayed ?? 0}</td><td class="${(s.counts.failed ?? 0) > 0 ? 'bad' : ''}">${s.counts.failed ?? 0}</td></tr>`)}
</tbody></table>`}
${(d.stages ?? []).filter((s) => s.failed.length).map(
  (s) => html`<h3>Failed ${s.stage} jobs</h3>
<table class="list"><thead><tr><th>Job</th><th>Failed</th><th>Attempts</th><th>Reason</th><th></th></tr></thead><tbody>
${s.failed.map((j) => html`<tr><td><code>${j.id}</code></td><td>${when(j.finishedOn)}</td><td>${j.attempts}</td><td class="reason-text">${j.reason}</td>
<td>${retryButton(ctx, `/dashboard/jobs/${encodeURIComponent(s.stage)}/${encodeURIComponent(j.id)}/retry`)}</td></tr>`)}
</tbody></table>`,
)}
<h2>Messages that failed to process</h2>
${d.failedInbound.length
  ? html`<table class="list"><thead><tr><th>#</th><th>Received</th><th>From</th><th>Subject</th><th>Error</th><th></th></tr></thead><tbody>
${d.failedInbound.map((m) => html`<tr><td>${m.id}</td><td>${when(m.receivedAt)}</td><td>${m.fromAddress ?? ''}</td><td>${m.subject ?? ''}</td><td class="reason-text">${m.error ?? ''}</td>
<td>${retryButton(ctx, `/dashboard/inbound/${m.id}/retry`)}</td></tr>`)}
</tbody></table>`
  : html`<p class="empty">None.</p>`}
<h2>Mail held by the automatic-mail limit <span class="count">${d.held.length}</span></h2>
${d.held.length
  ? html`<p class="hint">At most the limit (CITYLINE_AUTO_REPLY_CAP) of automatic emails go to one address in 24 hours, so a mail loop stops. A real resident's mail held here is sent by its button.</p>${heldMailTable(ctx, d.held)}`
  : html`<p class="empty">None.</p>`}
<h2>Mail that could not be sent</h2>
${d.failedOutbox.length
  ? html`<table class="list"><thead><tr><th>#</th><th>Queued</th><th>Kind</th><th>To</th><th>Subject</th><th>Attempts</th><th>Error</th><th></th></tr></thead><tbody>
${d.failedOutbox.map((o) => html`<tr><td>${o.requestId ? html`<a href="/requests/${o.requestId}">${o.id}</a>` : o.id}</td><td>${when(o.createdAt)}</td><td>${o.kind.replace(/_/g, ' ')}</td><td>${o.toAddress}</td><td>${o.subject}</td><td>${o.attempts}</td><td class="reason-text">${o.lastError ?? ''}</td>
<td>${retryButton(ctx, `/dashboard/outbox/${o.id}/retry`)}</td></tr>`)}
</tbody></table>`
  : html`<p class="empty">None.</p>`}`,
  );
}
