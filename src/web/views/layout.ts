// The page frame shared by every screen: navigation, the signed-in user, and the sign-out form.
import { html, type Html } from '../html.ts';
import type { SessionUser } from '../queries/sessions.ts';

export interface PageContext {
  user: SessionUser | null;
  csrf: string;
  /** Which navigation entry to highlight. */
  section?: 'review' | 'questions' | 'answers' | 'requests' | 'dashboard' | 'reports' | 'map' | 'new' | 'admin';
}

export function layout(ctx: PageContext, title: string, body: Html): Html {
  const nav = (href: string, label: string, key: PageContext['section'], shortcut: string) =>
    html`<a href="${href}" ${ctx.section === key ? html`aria-current="page"` : ''} title="shortcut: g then ${shortcut}">${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · CityLine 311</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top">
  <span class="brand">CityLine 311</span>
  ${ctx.user
    ? html`<nav>${nav('/review', 'Review queue', 'review', 'r')}${nav('/questions', 'Questions', 'questions', 'a')}${nav('/answers', 'Saved answers', 'answers', 's')}${nav('/requests', 'Requests', 'requests', 'q')}${nav('/dashboard', 'Dashboard', 'dashboard', 'd')}${nav('/reports', 'Reports', 'reports', 'p')}${nav('/map', 'Map', 'map', 'm')}${nav('/requests/new', 'Log a call', 'new', 'n')}${ctx.user.isAdmin ? html`${nav('/admin/users', 'Admin', 'admin', 'u')}<a href="/admin/api-keys">API keys</a>` : ''}</nav>
  <form method="post" action="/signout" class="signout">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <a class="who" href="/account/password" title="change password">${ctx.user.email}</a> <button type="submit" class="link">Sign out</button>
  </form>`
    : ''}
</header>
<main>
${body}
</main>
</body>
</html>`;
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** Staff work in Danbury: times are shown in its time zone, with the exact instant on hover. */
export function when(d: Date | null): Html {
  if (!d) return html`<span class="muted">—</span>`;
  return html`<time datetime="${d.toISOString()}" title="${d.toISOString()}">${DATE_TIME.format(d)}</time>`;
}

export function age(d: Date, now: Date = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - d.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

const LABELS: Record<string, string> = {
  low_confidence: 'low confidence',
  no_location: 'no location',
  outside_city: 'outside Danbury',
  street_unknown: "street not in the city's list",
  unverified_reference: 'unverified reference',
  possible_duplicate: 'possible duplicate',
  no_valid_sender: 'no valid sender address (not mailed)',
  no_reply_sender: 'sender takes no replies',
};

export function reasonLabel(code: string): string {
  return LABELS[code] ?? code.replace(/_/g, ' ');
}

export function categoryLabel(code: string): string {
  return code.replace(/_/g, ' ');
}

/** A request's danger, for staff: EMERGENCY (red) or URGENT (amber) with its hazard; nothing when routine. */
export function dangerBadge(r: { urgency: string; hazard: string | null }): Html {
  if (r.urgency === 'routine') return html``;
  const hazard = r.hazard ? ` · ${r.hazard.replace(/_/g, ' ')}` : '';
  return html`<span class="danger danger-${r.urgency}" title="${r.urgency === 'emergency' ? 'Emergency: the resident was told to call 911' : 'Urgent: flagged for same-day attention'}">${r.urgency.toUpperCase()}${hazard}</span>`;
}

export function statusBadge(status: string): Html {
  return html`<span class="status status-${status}">${status.replace(/_/g, ' ')}</span>`;
}
