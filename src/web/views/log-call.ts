// The form an agent fills in while a resident is on the phone or at the counter.
import { CATEGORIES, type Category, type Classification } from '../../classify/types.ts';
import { html, type Html } from '../html.ts';
import { categoryLabel, csrfField, layout, percent, type PageContext } from './layout.ts';

export const DESK_CHANNELS = ['phone', 'walk_in', 'letter', 'chat'] as const;
export type DeskChannel = (typeof DESK_CHANNELS)[number];
const CHANNEL_LABELS: Record<DeskChannel, string> = { phone: 'Phone call', walk_in: 'Walk-in', letter: 'Letter', chat: 'Chat' };

export interface CallEntry {
  /** Identifies this entry across its preview and its save, so a double submit opens one request. */
  token: string;
  channel: DeskChannel;
  name: string | null;
  email: string | null;
  phone: string | null;
  subject: string | null;
  description: string | null;
  houseNumber: string | null;
  street: string | null;
  crossStreet: string | null;
  category: Category | null;
}

export interface LogCallView {
  entry: CallEntry;
  suggestion: (Classification & { department: string }) | null;
  /** Which department each category goes to, shown beside the choice. */
  departments: Record<string, string>;
  problems: string[];
}

export function logCallPage(ctx: PageContext, v: LogCallView): Html {
  const e = v.entry;
  const s = v.suggestion;
  const chosen = e.category ?? s?.category ?? null;
  return layout(
    ctx,
    'Log a call',
    html`<h1>Log a call, walk-in or letter</h1>
${v.problems.length ? html`<div class="error" role="alert"><ul>${v.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form method="post" action="/requests/new" class="log-call">
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${e.token}">
  <fieldset class="channels"><legend>How it reached us</legend>
    ${DESK_CHANNELS.map((c) => html`<label class="inline-check"><input type="radio" name="channel" value="${c}" ${c === e.channel ? html`checked` : ''}> ${CHANNEL_LABELS[c]}</label>`)}
  </fieldset>
  <label>What the resident says <span class="muted">(required)</span>
    <textarea name="description" rows="5" maxlength="20000" required id="call-description">${e.description ?? ''}</textarea></label>
  <label>Subject <span class="muted">(optional; a few words)</span> <input type="text" name="subject" value="${e.subject ?? ''}" maxlength="300"></label>
  <div class="row">
    <label class="narrow">No. <input type="text" name="house_number" value="${e.houseNumber ?? ''}" inputmode="numeric" maxlength="20"></label>
    <label>Street <input type="text" name="street" id="call-street" value="${e.street ?? ''}" list="street-options" data-suggest="/api/streets" autocomplete="off" maxlength="200"></label>
  </div>
  <label>Cross street <span class="muted">(when there is no house number)</span> <input type="text" name="cross_street" value="${e.crossStreet ?? ''}" list="street-options" data-suggest="/api/streets" autocomplete="off" maxlength="200"></label>
  <datalist id="street-options"></datalist>
  <fieldset class="resident"><legend>The resident <span class="muted">(all optional)</span></legend>
    <label>Name <input type="text" name="name" value="${e.name ?? ''}" maxlength="200" autocomplete="off"></label>
    <label>Email <span class="muted">(they get the confirmation and updates)</span> <input type="email" name="email" value="${e.email ?? ''}" maxlength="254" autocomplete="off"></label>
    <label>Phone <input type="tel" name="phone" value="${e.phone ?? ''}" maxlength="40" autocomplete="off"></label>
  </fieldset>
  ${s
    ? html`<section class="suggestion" aria-live="polite" id="suggestion">
    <p>Suggested category: <strong>${categoryLabel(s.category)}</strong> <span class="confidence">${percent(s.confidence)}</span> → ${s.department}${s.street ? html` · place found: ${[s.houseNumber, s.street].filter(Boolean).join(' ')}` : ''}</p>
  </section>`
    : ''}
  <label>Category ${s ? '' : html`<span class="muted">(press "Suggest" to see what the classifier makes of it)</span>`}
    <select name="category" id="call-category">
      <option value="" ${chosen ? '' : html`selected`}>choose, or let the classifier suggest…</option>
      ${CATEGORIES.map((c) => html`<option value="${c}" ${c === chosen ? html`selected` : ''}>${categoryLabel(c)} (→ ${v.departments[c] ?? ''})</option>`)}
    </select></label>
  <div class="buttons">
    <button type="submit" name="step" value="suggest">Suggest category</button>
    <button type="submit" name="step" value="save" class="primary" id="call-save">Save and route</button>
  </div>
  <p class="muted">Saving routes it to the category's department at once and, when there is an email address, sends the resident the confirmation.</p>
</form>`,
  );
}
