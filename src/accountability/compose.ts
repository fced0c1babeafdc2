// Department digests and supervisor escalations as outbox rows. Their dedupe keys make them
// idempotent: one digest per department address per local day, one escalation per request, however
// often the scheduler runs or restarts.
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { messageIdFor } from '../mail/reply-token.ts';
import { locationText } from '../notify/compose.ts';
import type { NewOutboxRow } from '../notify/outbox.ts';
import { renderEmail, type DigestRow } from '../notify/render.ts';
import type { Department } from '../routing/rules.ts';
import type { ServiceTargets } from '../targets/service-targets.ts';
import type { DepartmentWork, OpenWork } from './open-work.ts';

/** A digest lists this many requests; the rest are counted ("and 40 more"). */
export const DIGEST_ROWS = 200;

const DAY_MS = 86_400_000;

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function lateBy(targets: ServiceTargets, due: Date, now: Date): string {
  const days = targets.businessDaysBetween(due, now);
  if (days >= 1) return `${days.toFixed(1)} business days`;
  const hours = Math.max(1, Math.round((now.getTime() - due.getTime()) / 3_600_000));
  return `${hours} h`;
}

function headers(): Record<string, string> {
  return { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };
}

export interface DigestInput {
  department: Department;
  work: DepartmentWork;
  /** The local date the digest is for, YYYY-MM-DD, part of its dedupe key. */
  day: string;
  dayLabel: string;
  schedule: string;
  now: Date;
}

export function digestRows(ctx: { config: Config; targets: ServiceTargets }, d: DigestInput): NewOutboxRow[] {
  const row = (w: OpenWork): DigestRow => ({
    trackingNumber: w.trackingNumber,
    category: w.category,
    location: locationText(w),
    ageDays: Math.floor((d.now.getTime() - w.createdAt.getTime()) / DAY_MS),
    dueAt: w.dueAt,
    lateBy: w.dueAt && w.dueAt < d.now ? lateBy(ctx.targets, w.dueAt, d.now) : '',
  });
  const late = (w: OpenWork): boolean => w.dueAt !== null && w.dueAt < d.now;
  const shownOverdue = d.work.first.filter(late);
  const shownOnTime = d.work.first.filter((w) => !late(w));
  const rendered = renderEmail('department_digest', 'en', {
    city: ctx.config.cityName,
    department: d.department.name,
    day: d.dayLabel,
    open: d.work.open,
    overdue: d.work.overdue,
    overdueRows: shownOverdue.map(row),
    onTimeRows: shownOnTime.map(row),
    more: d.work.open - d.work.first.length,
    schedule: d.schedule,
  });
  // One recipient per message: a department's list gets one copy each.
  return d.department.emails.map((to) => {
    const key = `digest-${d.department.code}-${d.day}-${to}`;
    return {
      dedupeKey: key,
      requestId: null,
      kind: 'department_digest',
      toAddress: to,
      replyTo: null,
      subject: rendered.subject,
      messageId: messageIdFor(null, `digest-${d.department.code.replace(/_/g, '-')}-${d.day}-${createHash('sha256').update(to).digest('hex').slice(0, 8)}`, ctx.config.replySecret, domainOf(ctx.config.fromAddress)),
      inReplyTo: null,
      references: [],
      language: 'en',
      text: rendered.text,
      html: rendered.html,
      attachmentIds: [],
      headers: headers(),
    };
  });
}

export function escalationRow(ctx: { config: Config; targets: ServiceTargets }, w: OpenWork & { dueAt: Date }, departmentName: string, supervisor: string, now: Date): NewOutboxRow {
  const rendered = renderEmail('escalation', 'en', {
    city: ctx.config.cityName,
    trackingNumber: w.trackingNumber,
    department: departmentName,
    category: w.category,
    location: locationText(w),
    status: w.status,
    openedAt: w.createdAt,
    dueAt: w.dueAt,
    lateBy: lateBy(ctx.targets, w.dueAt, now),
  });
  return {
    dedupeKey: `escalation-${w.id}`,
    requestId: w.id,
    kind: 'escalation',
    toAddress: supervisor,
    replyTo: null,
    subject: rendered.subject,
    // Our request Message-ID: a supervisor's answer threads into the request.
    messageId: messageIdFor(w.id, `escalation-${w.id}`, ctx.config.replySecret, domainOf(ctx.config.fromAddress)),
    inReplyTo: null,
    references: [],
    language: 'en',
    text: rendered.text,
    html: rendered.html,
    attachmentIds: [],
    headers: { ...headers(), 'X-CityLine-Tracking-Number': w.trackingNumber },
  };
}
