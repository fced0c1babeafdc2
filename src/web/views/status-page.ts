// The public status page, in English, Spanish or Portuguese.
import type { Language } from '../../classify/types.ts';
import { html, type Html } from '../html.ts';

const WORDS: Record<Language, Record<'title' | 'lookup' | 'number' | 'check' | 'notFound' | 'category' | 'status' | 'received' | 'history' | 'call', string>> = {
  en: { title: 'Request status', lookup: 'Check a request', number: 'Tracking number', check: 'Check', notFound: 'We found no request with that tracking number. Check it against your confirmation email.', category: 'Type', status: 'Status', received: 'Received', history: 'History', call: 'Questions? Call' },
  es: { title: 'Estado de la solicitud', lookup: 'Consultar una solicitud', number: 'Número de seguimiento', check: 'Consultar', notFound: 'No encontramos ninguna solicitud con ese número de seguimiento. Compárelo con su correo de confirmación.', category: 'Tipo', status: 'Estado', received: 'Recibida', history: 'Historial', call: '¿Preguntas? Llame al' },
  pt: { title: 'Situação da solicitação', lookup: 'Consultar uma solicitação', number: 'Número de protocolo', check: 'Consultar', notFound: 'Não encontramos nenhuma solicitação com esse número de protocolo. Confira no seu e-mail de confirmação.', category: 'Tipo', status: 'Situação', received: 'Recebida', history: 'Histórico', call: 'Dúvidas? Ligue para' },
};
const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-US', pt: 'pt-BR' };

export interface StatusPageData {
  language: Language;
  city: string;
  phone: string;
  asked: string | null;
  request: { trackingNumber: string; category: string; status: string; createdAt: Date; history: { at: Date; status: string }[] } | null;
}

export function statusPage(d: StatusPageData): Html & { found: boolean } {
  const w = WORDS[d.language];
  const date = new Intl.DateTimeFormat(LOCALES[d.language], { timeZone: 'America/New_York', dateStyle: 'medium', timeStyle: 'short' });
  const r = d.request;
  const page = html`<!doctype html>
<html lang="${d.language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${w.title} · ${d.city} 311</title><link rel="stylesheet" href="/static/app.css"></head>
<body>
<header class="top"><span class="brand">${d.city} 311</span><nav>${(['en', 'es', 'pt'] as const).map((l) => html`<a href="?lang=${l}" ${l === d.language ? html`aria-current="page"` : ''}>${l.toUpperCase()}</a>`)}</nav></header>
<main class="public-status">
<h1>${w.title}</h1>
${r
  ? html`<dl class="facts-public"><dt>${w.number}</dt><dd><strong>${r.trackingNumber}</strong></dd><dt>${w.category}</dt><dd>${r.category}</dd>
  <dt>${w.status}</dt><dd><strong id="public-status">${r.status}</strong></dd><dt>${w.received}</dt><dd>${date.format(r.createdAt)}</dd></dl>
  <h2>${w.history}</h2><ol class="history-public">${r.history.map((h) => html`<li><time datetime="${h.at.toISOString()}">${date.format(h.at)}</time> · ${h.status}</li>`)}</ol>`
  : d.asked ? html`<p class="error" role="alert">${w.notFound}</p>` : ''}
<form method="get" action="/status" class="search"><label>${w.number} <input type="text" name="n" value="${d.asked ?? ''}" required maxlength="40"></label>
<input type="hidden" name="lang" value="${d.language}"><button type="submit" class="primary">${w.check}</button></form>
<p class="muted">${w.call} ${d.phone}.</p>
</main>
</body>
</html>`;
  return Object.assign(page, { found: r !== null });
}
