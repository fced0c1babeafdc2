// One inbound email as staff see it: what the resident wrote, the full original a click away, attachments.
import { html, trusted, type Html } from '../html.ts';
import type { AttachmentMeta, InboundView } from '../queries/messages.ts';
import { isInlineImage } from '../routes/attachments.ts';
import { sanitizeResidentHtml } from '../sanitize.ts';
import { when } from './layout.ts';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function attachmentList(attachments: AttachmentMeta[]): Html {
  if (attachments.length === 0) return html``;
  return html`<ul class="attachments">${attachments.map((a) => {
    const name = a.filename ?? `attachment ${a.id}`;
    if (!a.stored) return html`<li>${name} (${size(a.size)}, not stored: ${a.droppedReason ?? 'too large'})</li>`;
    if (isInlineImage(a.contentType)) {
      return html`<li class="image"><a href="/attachments/${a.id}" target="_blank" rel="noopener"><img src="/attachments/${a.id}" alt="${name}" loading="lazy"></a><span>${name}</span></li>`;
    }
    return html`<li><a href="/attachments/${a.id}?download=1">${name}</a> <span class="muted">${a.contentType}, ${size(a.size)}</span></li>`;
  })}</ul>`;
}

export function inboundMessage(m: InboundView, attachments: AttachmentMeta[], opts: { originalId: string; open?: boolean }): Html {
  const inline = new Map<string, number>();
  for (const a of attachments) if (a.contentId && a.stored && isInlineImage(a.contentType)) inline.set(a.contentId.replace(/^<|>$/g, ''), a.id);
  // authored_text is null only before the message is parsed; empty means they typed nothing of their own.
  const authored = (m.authoredText ?? m.textBody ?? '').trim();
  const nothingTyped = attachments.some((a) => a.contentType.startsWith('image/')) ? '(photo only)' : attachments.length > 0 ? '(attachment only)' : '(nothing typed: only the quoted message)';
  return html`<article class="mail in">
  <header><strong>${m.fromName ?? ''}</strong> <span class="addr">&lt;${m.fromAddress ?? 'unknown sender'}&gt;</span> · ${when(m.receivedAt)}
    <div class="subject">${m.subject ?? '(no subject)'}</div></header>
  <div class="authored">${authored ? html`<p class="text">${authored}</p>` : html`<p class="muted">${nothingTyped}</p>`}</div>
  ${attachmentList(attachments)}
  <details id="${opts.originalId}" class="original" ${opts.open ? html`open` : ''}>
    <summary>Full original message</summary>
    ${m.htmlBody ? html`<div class="html-body">${trusted(sanitizeResidentHtml(m.htmlBody, inline))}</div>` : ''}
    ${m.textBody ? html`<pre class="text-body">${m.textBody}</pre>` : ''}
  </details>
</article>`;
}
