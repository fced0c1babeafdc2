// The questions queue (residents waiting for a person's answer) and the library of saved answers.
import { LANGUAGES, type Language } from '../../classify/types.ts';
import { html, type Html } from '../html.ts';
import type { PendingDepartmentReply, WaitingQuestion } from '../queries/questions.ts';
import type { SavedAnswer } from '../queries/saved-answers.ts';
import { csrfField, layout, when, type PageContext } from './layout.ts';

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Spanish', pt: 'Portuguese' };
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
const DUE = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', month: 'short', day: 'numeric' });

export interface QueuedQuestion extends WaitingQuestion {
  dueBy: Date;
}

export function questionsPage(ctx: PageContext, items: QueuedQuestion[], departmentReplies: PendingDepartmentReply[], now: Date = new Date()): Html {
  const today = DAY.format(now);
  return layout(
    ctx,
    'Questions',
    html`<h1>Questions <span class="count">${items.length}</span></h1>
<p class="muted">Residents waiting for a person's answer, longest waiting first. Answer from the request page; <a href="/answers">saved answers</a> can be inserted and edited there.</p>
${items.length
  ? html`<table class="list questions"><thead><tr><th>Tracking</th><th>Waiting since</th><th>Answer by</th><th>Resident</th><th>Question</th></tr></thead><tbody>
${items.map((q, i) => {
  const late = DAY.format(q.dueBy) < today;
  return html`<tr>
  <td><a href="/requests/${q.id}#reply" ${i === 0 ? html`data-first` : ''}>${q.trackingNumber}</a></td>
  <td>${when(q.waitingSince)}</td>
  <td class="${late ? 'overdue' : ''}">${DUE.format(q.dueBy)}${late ? html` <strong>late</strong>` : ''}</td>
  <td>${q.residentName ? html`${q.residentName}<br>` : ''}<span class="muted">${q.residentEmail ?? ''} (${q.language})</span></td>
  <td><strong>${q.subject ?? '(no subject)'}</strong><div class="snippet">${q.lastWords ?? ''}</div></td>
</tr>`;
})}</tbody></table>`
  : html`<p class="empty">Nobody is waiting for an answer.</p>`}
<h2 id="department-replies">Department replies needing attention <span class="count">${departmentReplies.length}</span></h2>
<p class="muted">A department answered a ticket without a status line: forward it to the resident or set it aside, from the request page.</p>
${departmentReplies.length
  ? html`<table class="list questions"><thead><tr><th>Tracking</th><th>Received</th><th>Department</th><th>They wrote</th></tr></thead><tbody>
${departmentReplies.map((d) => html`<tr><td><a href="/requests/${d.requestId}">${d.trackingNumber}</a></td><td>${when(d.receivedAt)}</td><td>${d.departmentName ?? ''}</td><td><div class="snippet">${d.text ?? ''}</div></td></tr>`)}
</tbody></table>`
  : html`<p class="empty">None.</p>`}`,
  );
}

export function savedAnswersPage(ctx: PageContext, answers: SavedAnswer[], editing: SavedAnswer | null, error: string | null): Html {
  const form = (a: SavedAnswer | null) => html`<form method="post" action="/answers" class="answer-form">
  ${csrfField(ctx)}
  ${a ? html`<input type="hidden" name="id" value="${a.id}">` : ''}
  <label>Topic <input type="text" name="topic" required maxlength="120" value="${a?.topic ?? ''}" placeholder="Leaf pickup schedule"></label>
  <label>Language <select name="language">${LANGUAGES.map((l) => html`<option value="${l}" ${a?.language === l ? html`selected` : ''}>${LANGUAGE_NAMES[l]}</option>`)}</select></label>
  <label>Answer <textarea name="body" rows="6" required maxlength="5000">${a?.body ?? ''}</textarea></label>
  <button type="submit" class="primary">${a ? 'Save changes' : 'Add answer'}</button> ${a ? html`<a href="/answers">cancel</a>` : ''}
</form>`;
  return layout(
    ctx,
    'Saved answers',
    html`<h1>Saved answers</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p class="muted">Answers to questions residents often ask, one per topic and language. Insert one into a reply from a request page, and edit it there before sending.</p>
<div class="answers">
<section>
${answers.length
  ? html`<table class="list answer-list"><thead><tr><th>Topic</th><th>Language</th><th>Answer</th><th>Last changed</th><th></th></tr></thead><tbody>
${answers.map((a) => html`<tr>
  <td><strong>${a.topic}</strong></td><td>${LANGUAGE_NAMES[a.language]}</td><td><div class="snippet">${a.body}</div></td>
  <td>${when(a.updatedAt)} <span class="muted">${a.updatedBy}</span></td>
  <td><a href="/answers?edit=${a.id}">edit</a>
    <form method="post" action="/answers/${a.id}/delete" class="inline">${csrfField(ctx)}<button type="submit" class="link-button">delete</button></form></td>
</tr>`)}</tbody></table>`
  : html`<p class="empty">No saved answers yet.</p>`}
</section>
<section>
<h2>${editing ? `Edit "${editing.topic}"` : 'Add an answer'}</h2>
${form(editing)}
</section>
</div>`,
  );
}

/** The reply box of a request page: free text to the resident, a saved answer to start from, and closing. */
export function replyBox(ctx: PageContext, p: { requestId: number; language: Language; answers: SavedAnswer[]; draft: string; formToken: string; canClose: boolean; waiting: boolean }): Html {
  const ordered = [...p.answers.filter((a) => a.language === p.language), ...p.answers.filter((a) => a.language !== p.language)];
  return html`<section id="reply" class="reply-box">
  <h2>Reply to the resident${p.waiting ? html` <span class="reason">waiting for an answer</span>` : ''}</h2>
  ${ordered.length
    ? html`<form method="get" action="/requests/${p.requestId}#reply" class="insert-answer">
    <label>Saved answer <select name="insert">${ordered.map((a) => html`<option value="${a.id}">${a.topic} (${a.language})</option>`)}</select></label>
    <button type="submit">Insert</button>
  </form>`
    : html`<p class="muted">No saved answers yet: <a href="/answers">add some</a>.</p>`}
  <form method="post" action="/requests/${p.requestId}/reply" class="reply-form">
    ${csrfField(ctx)}
    <input type="hidden" name="formToken" value="${p.formToken}">
    <label>Message to the resident (${LANGUAGE_NAMES[p.language]}) <textarea name="body" id="reply-body" rows="8" required maxlength="10000">${p.draft}</textarea></label>
    ${p.canClose ? html`<label class="check"><input type="checkbox" name="close" value="1"> Close the request with this answer</label>` : ''}
    <button type="submit" class="primary">Send to the resident</button>
  </form>
</section>`;
}
