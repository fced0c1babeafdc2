// The reports page: a period's figures with charts where people would rather look, every table with
// its CSV, printable as it is.
import { html, type Html } from '../html.ts';
import { CHANNELS, CHANNEL_LABELS, reportTables, share, type Cell, type Report } from '../../reports/report.ts';
import { columns, horizontalBars } from './charts.ts';
import type { DigestSchedule } from '../../accountability/schedule-store.ts';
import { categoryLabel, csrfField, layout, percent, when, type PageContext } from './layout.ts';

export interface ReportsView {
  report: Report;
  departmentName: (code: string | null) => string;
  /** The query string that chose the period, for the CSV links. */
  query: string;
  pick: { month: string; quarter: string; year: string; from: string; to: string };
  error: string | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const monthTick = (month: string): string => MONTHS[Number(month.slice(5, 7)) - 1] ?? month;

function cell(v: Cell, column: string): Html {
  if (v === null) return html`<td class="muted">—</td>`;
  if (typeof v === 'number' && (column.includes('target') || column.includes('rate') || column.includes('share'))) return html`<td>${percent(v)}</td>`;
  return html`<td>${typeof v === 'string' && column === 'category' ? categoryLabel(v) : v}</td>`;
}

function periodForm(v: ReportsView): Html {
  return html`<form method="get" action="/reports" class="search report-period no-print">
  <label>Month <input type="month" name="month" value="${v.pick.month}"></label>
  <label>Quarter <input name="quarter" placeholder="2026-Q4" value="${v.pick.quarter}" pattern="\\d{4}-[Qq][1-4]"></label>
  <label>Year <input name="year" inputmode="numeric" placeholder="2026" value="${v.pick.year}" pattern="\\d{4}"></label>
  <label>From <input type="date" name="from" value="${v.pick.from}"></label>
  <label>To <input type="date" name="to" value="${v.pick.to}"></label>
  <button type="submit" class="primary">Show</button>
</form>`;
}

export function reportsPage(ctx: PageContext, v: ReportsView): Html {
  const r = v.report;
  const tables = reportTables(r, { department: v.departmentName });
  const onTime = share(r.all.onTime, r.all.withTarget);
  const corrected = share(r.corrected, r.reviewDecisions);
  return layout(
    { ...ctx, section: 'reports' },
    'Reports',
    html`<h1>Report: ${r.period.from} to ${r.period.to}</h1>
${v.error ? html`<p class="error">${v.error}</p>` : ''}
${periodForm(v)}
<p class="no-print"><button type="button" class="print-page">Print</button> · <a href="/reports/schedule">Digests and targets</a> · Counted by the day a request was opened, in Danbury's time. Contacts are the requests opened, by the way they reached us. Figures as of ${r.asOf ? when(r.asOf) : 'now'}.</p>
<div class="tiles">
  <div class="tile"><span class="big">${r.contacts}</span>contacts</div>
  <div class="tile"><span class="big">${r.all.resolved}</span>resolved</div>
  <div class="tile"><span class="big">${onTime === null ? '—' : percent(onTime)}</span>resolved within target</div>
  <div class="tile"><span class="big">${r.all.medianHoursToResolve ?? '—'}</span>median hours to resolve (p90 ${r.all.p90HoursToResolve ?? '—'})</div>
  <div class="tile"><span class="big">${r.all.medianHoursToRoute ?? '—'}</span>median hours to route (p90 ${r.all.p90HoursToRoute ?? '—'})</div>
  <div class="tile"><span class="big">${r.all.opened ? percent(r.all.sentToReview / r.all.opened) : '—'}</span>sent to staff review; ${corrected === null ? 'no decisions' : `${percent(corrected)} of ${r.reviewDecisions} decisions corrected`}</div>
</div>
<div class="charts">
  <figure><figcaption>Contacts by month</figcaption>${columns(r.byMonth.map((m) => ({ label: m.month, value: m.contacts })), { title: 'Contacts by month', tick: monthTick })}</figure>
  <figure><figcaption>Contacts by channel</figcaption>${horizontalBars(CHANNELS.map((c) => ({ label: CHANNEL_LABELS[c], value: r.byChannel[c] ?? 0 })), { title: 'Contacts by channel', valueLabel: 'contacts' })}</figure>
  <figure><figcaption>Requests by category (resolved darker)</figcaption>${horizontalBars(r.categories.map((g) => ({ label: categoryLabel(g.key ?? ''), value: g.opened, part: g.resolved })), { title: 'Requests by category', valueLabel: 'opened', partLabel: 'resolved' })}</figure>
</div>
${Object.entries(tables).map(
  ([name, t]) => html`<section class="report-table">
  <h2>${t.title} <a class="csv no-print" href="/reports.csv?table=${name}&amp;${v.query}" download>CSV</a></h2>
  ${t.rows.length === 0
    ? html`<p class="empty">Nothing in this period.</p>`
    : html`<div class="scroll"><table class="list"><thead><tr>${t.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
  <tbody>${t.rows.map((row) => html`<tr>${row.map((value, i) => cell(value, t.columns[i] ?? ''))}</tr>`)}</tbody></table></div>`}
</section>`,
)}`,
  );
}

export function schedulePage(ctx: PageContext, v: { schedule: DigestSchedule; described: string; targets: Readonly<Record<string, number>>; escalateAfter: number; notice: string | null; error: string | null }): Html {
  const s = v.schedule;
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return layout(
    { ...ctx, section: 'reports' },
    'Digests and targets',
    html`<h1>Digests, escalations and service targets</h1>
${v.notice ? html`<p class="notice">${v.notice}</p>` : ''}${v.error ? html`<p class="error">${v.error}</p>` : ''}
<form method="post" action="/reports/schedule" class="tile schedule-form">
  ${csrfField(ctx)}
  <p>Each department gets one email a day listing its open requests, overdue first: now <strong>${s.enabled ? v.described : 'switched off'}</strong>${s.updatedBy ? html`, set by ${s.updatedBy} ${when(s.updatedAt)}` : ''}.</p>
  <label><input type="checkbox" name="enabled" value="1" ${s.enabled ? 'checked' : ''}> Send department digests</label>
  <label>Time of day (Danbury) <input type="time" name="sendAt" value="${s.sendAt}" required></label>
  <fieldset><legend>Days</legend>${days.map((d, i) => html`<label class="inline-check"><input type="checkbox" name="weekdays" value="${i + 1}" ${s.weekdays.includes(i + 1) ? 'checked' : ''}> ${d}</label>`)}</fieldset>
  <label><input type="checkbox" name="escalationEnabled" value="1" ${s.escalationEnabled ? 'checked' : ''}> Escalate a request ${v.escalateAfter} business days past its target</label>
  <label>Supervisor's address <input type="email" name="supervisorEmail" value="${s.supervisorEmail ?? ''}" placeholder="311-supervisor@danbury.example"></label>
  <button type="submit" class="primary">Save</button>
</form>
<h2>Service targets (config/service-targets.json)</h2>
<div class="scroll"><table class="list"><thead><tr><th>category</th><th>target</th></tr></thead>
<tbody>${Object.entries(v.targets).map(([c, d]) => html`<tr><td>${categoryLabel(c)}</td><td>${d} business day${d === 1 ? '' : 's'}</td></tr>`)}</tbody></table></div>`,
  );
}
